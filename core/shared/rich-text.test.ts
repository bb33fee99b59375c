import { describe, expect, it } from 'vitest';
import { richTextToPlain, sanitizeRichText } from './rich-text';

describe('sanitizeRichText', () => {
  it('keeps the editor’s formatting', () => {
    expect(sanitizeRichText('<h2>目标</h2><p>需要<strong>代理记账</strong></p><ul><li>月度</li></ul>')).toBe(
      '<h2>目标</h2><p>需要<strong>代理记账</strong></p><ul><li>月度</li></ul>',
    );
  });
  it('drops scripts, handlers, styles and javascript links', () => {
    const out = sanitizeRichText(
      '<p onclick="x()" style="color:red">hi<script>alert(1)</script></p><a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)><iframe src="https://evil"></iframe>',
    );
    expect(out).not.toMatch(/script|onclick|style|javascript|img|iframe|onerror/);
    expect(out).toContain('<p>hi</p>');
  });
  it('makes links open safely', () => {
    expect(sanitizeRichText('<a href="https://example.com">官网</a>')).toBe(
      '<a href="https://example.com" target="_blank" rel="noopener noreferrer nofollow">官网</a>',
    );
  });
});

describe('richTextToPlain', () => {
  it('separates blocks and decodes entities', () => {
    expect(richTextToPlain('<p>一 &amp; 二</p><p>三&lt;四</p>')).toBe('一 & 二\n三<四');
  });
});
