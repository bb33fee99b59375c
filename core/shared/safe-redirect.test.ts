import { describe, expect, it } from 'vitest';
import { safeRedirect } from './safe-redirect';

describe('safeRedirect', () => {
  it.each([
    ['/account', '/account'],
    ['/mall/products/1?tab=2#reviews', '/mall/products/1?tab=2#reviews'],
    ['/mall/搜索', '/mall/%E6%90%9C%E7%B4%A2'],
    ['/a b', '/a%20b'],
    ['  /account  ', '/account'],
  ])('keeps a same-site path: %j → %j', (to, expected) => {
    expect(safeRedirect(to, '/fallback')).toBe(expected);
  });

  it.each([
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\n/evil.example',
    '\t//evil.example',
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '\\/evil.example',
    ' //evil.example',
    '\u0000//evil.example',
    'https://evil.example',
    'javascript:alert(1)',
    'evil.example',
    '',
    null,
    undefined,
  ])('refuses %j', (to) => {
    expect(safeRedirect(to, '/fallback')).toBe('/fallback');
  });

  it('never answers with a character a Location header cannot carry', () => {
    for (const to of ['/a\u0000b', '/a\u0007b', '/\ud800', '/é', '/a\u2028b', '/x?q=\u0001']) {
      const out = safeRedirect(to, '/fallback');
      expect(out).toMatch(/^\/[\x21-\x7e]*$/);
      expect(() => new Headers({ location: out })).not.toThrow();
    }
  });
});
