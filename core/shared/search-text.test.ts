import { describe, expect, it } from 'vitest';
import { searchQuery, searchTokens } from './search-text';

describe('searchTokens', () => {
  it('splits Han runs into bigrams and keeps latin words', () => {
    expect(searchTokens('财税服务 ISO9001认证')).toEqual(['财税', '税服', '服务', 'iso9001', '认证']);
  });
  it('keeps a single Han character', () => {
    expect(searchTokens('税')).toEqual(['税']);
  });
  it('ignores punctuation', () => {
    expect(searchTokens('《代理记账》，！')).toEqual(['代理', '理记', '记账']);
  });
});

describe('searchQuery', () => {
  it('requires every token', () => {
    expect(searchQuery('代理记账')).toBe("'代理' & '理记' & '记账'");
  });
  it('prefix-matches one character and latin words', () => {
    expect(searchQuery('税 app')).toBe("'税':* & 'app':*");
  });
  it('is undefined for nothing searchable', () => {
    expect(searchQuery(' ，。 ')).toBeUndefined();
  });
  it('escapes quotes', () => {
    expect(searchQuery("o'neil")).toBe("'o':* & 'neil':*");
  });
});
