import { describe, expect, it } from 'vitest';
import { legalParagraphs, nextLegalVersion } from './legal.machine';

describe('legal versions', () => {
  it.each([
    [undefined, 2],
    [1, 2],
    [2, 3],
    [9, 10],
  ])('after %s the next version is %s', (latest, next) => expect(nextLegalVersion(latest)).toBe(next));

  it('splits paragraphs on blank lines only', () => {
    expect(legalParagraphs('一\n续\n\n 二 \n\n\n三')).toEqual(['一\n续', '二', '三']);
  });
});
