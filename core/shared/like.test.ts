import { describe, expect, it } from 'vitest';
import { containsPattern, escapeLike, prefixPattern } from './like';

describe('LIKE escape', () => {
  it('makes % _ and \\ match themselves', () => {
    expect(escapeLike('50%_a\\b')).toBe('50\\%\\_a\\\\b');
    expect(containsPattern('10%')).toBe('%10\\%%');
    expect(prefixPattern('tenders.')).toBe('tenders.%');
  });
  it('leaves ordinary text alone', () => {
    expect(containsPattern('重庆 财经')).toBe('%重庆 财经%');
  });
});
