import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from './test-helpers';

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h?.close());

describe('GET /legal/{kind}, POST /admin/legal/{kind}/versions, GET /site/footer, PUT /admin/settings/site-footer', () => {
  it('happy: reads the latest, publishes a new version, reads an old one; the footer setting round-trips', async () => {
    const before = await h.json('GET', '/api/v1/legal/terms');
    expect(before.status, before.text).toBe(200);
    const ops = await h.operator();
    const body = '用户协议（接口测试版）：账号由注册人保管，交易遵守平台规则，资金由平台托管。';
    const published = await h.json('POST', '/api/v1/admin/legal/terms/versions', { title: '用户协议', body }, { token: ops.token });
    expect(published.status, published.text).toBe(201);
    expect(published.json).toMatchObject({ kind: 'terms', version: before.json.version + 1, body, template: false });
    expect((await h.json('GET', '/api/v1/legal/terms')).json.version).toBe(before.json.version + 1);
    expect((await h.json('GET', `/api/v1/legal/terms?version=${before.json.version}`)).json.version).toBe(before.json.version);
    const versions = await h.json('GET', '/api/v1/legal/terms/versions');
    expect(versions.json[0]).toMatchObject({ version: before.json.version + 1 });

    const saved = await h.json('PUT', '/api/v1/admin/settings/site-footer', { servicePhone: '400-800-1234', icp: '京ICP备00000000号-1' }, { token: ops.token });
    expect(saved.status, saved.text).toBe(200);
    expect((await h.json('GET', '/api/v1/site/footer')).json).toMatchObject({ servicePhone: '400-800-1234', icp: '京ICP备00000000号-1', serviceEmail: '' });
  });

  it('errors: unknown kind or version, bad text, bad phone — in Chinese, by field', async () => {
    expect((await h.json('GET', '/api/v1/legal/cookies')).status).toBe(400);
    const missing = await h.json('GET', '/api/v1/legal/privacy?version=999');
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ code: 'LEGAL_VERSION_NOT_FOUND', message: '隐私政策没有第 999 版' });
    const ops = await h.operator();
    const bad = await h.json('POST', '/api/v1/admin/legal/terms/versions', { title: '', body: '短' }, { token: ops.token });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields).toMatchObject({ title: '请填写标题', body: '正文至少 20 个字' });
    const phone = await h.json('PUT', '/api/v1/admin/settings/site-footer', { servicePhone: 'call me' }, { token: ops.token });
    expect(phone.status).toBe(400);
    expect(phone.json.error.fields).toMatchObject({ servicePhone: '客服电话只能包含数字、空格和 - + ( )' });
  });

  it('auth: publishing and the footer setting are for operators only', async () => {
    const someone = await h.user();
    const body = { title: '用户协议', body: '用户协议（越权测试）：这段文字不应被发布，因为调用者不是运营人员。' };
    expect((await h.json('POST', '/api/v1/admin/legal/terms/versions', body)).status).toBe(401);
    expect((await h.json('POST', '/api/v1/admin/legal/terms/versions', body, { token: someone.token })).status).toBe(403);
    expect((await h.json('PUT', '/api/v1/admin/settings/site-footer', { icp: 'x' }, { token: someone.token })).status).toBe(403);
  });

  it('registration without agreeTerms is refused by field', async () => {
    const res = await h.json('POST', '/api/v1/auth/register', { accountType: 'enterprise' });
    expect(res.status).toBe(400);
    expect(res.json.error.fields).toMatchObject({ agreeTerms: '请阅读并同意用户协议和隐私政策' });
  });
});
