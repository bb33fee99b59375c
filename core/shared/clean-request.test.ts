import { describe, expect, it } from 'vitest';
import { hasUncleanInput } from './clean-request';

const get = (path: string) => {
  const url = new URL(path, 'http://localhost');
  return hasUncleanInput(new Request(url), url);
};
const post = (body: BodyInit, type?: string) => {
  const url = new URL('http://localhost/mall/checkout?/submit');
  return hasUncleanInput(new Request(url, { method: 'POST', body, headers: type ? { 'content-type': type } : {} }), url);
};

describe('hasUncleanInput (pages refuse what the API refuses)', () => {
  it.each(['/projects?q=%00', '/projects/%00', '/projects/a%ED%A0%80', '/mall/products/%E0%A4%A', '/admin/users?q=a%07b', '/x?%00=1'])(
    'refuses %s',
    async (path) => {
      expect(await get(path)).toBe(true);
    },
  );

  it.each(['/projects?q=%E6%B0%B4%E7%94%B5', '/mall/products?q=a%20b&page=2', '/login?redirectTo=%2Fmall%2Fme', '/'])('lets %s through', async (path) => {
    expect(await get(path)).toBe(false);
  });

  it('refuses a form field with NUL, lets line breaks in text through, and leaves the body readable', async () => {
    const bad = new URLSearchParams({ title: 'a\u0000b' });
    expect(await post(bad.toString(), 'application/x-www-form-urlencoded')).toBe(true);
    const form = new FormData();
    form.set('body', '第一行\r\n第二行\t');
    form.set('file', new File([new Uint8Array([0, 1, 2])], 'a.png', { type: 'image/png' }));
    const url = new URL('http://localhost/x');
    const request = new Request(url, { method: 'POST', body: form });
    expect(await hasUncleanInput(request, url)).toBe(false);
    expect((await request.formData()).get('body')).toBe('第一行\r\n第二行\t');
  });
});
