import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMobile } from '../../core/testing/factories';
import { latestCode } from '../../core/testing/test-platform';
import { createApiHarness, type ApiHarness } from './test-helpers';

let h: ApiHarness;
const t = { op: '', province: '', gz: '', sz: '', market: '' };

/** Signs in through 短信登录 (the accounts opened here have no password). */
async function smsToken(mobile: string) {
  expect((await h.json('POST', '/api/v1/auth/login-code', { mobile })).status).toBe(200);
  const res = await h.json('POST', '/api/v1/auth/login-sms', { mobile, code: await latestCode(h.platform, mobile) });
  expect(res.status, res.text).toBe(200);
  return res.json.token as string;
}
async function opened(path: string, body: Record<string, unknown>, token: string) {
  const mobile = buildMobile();
  const res = await h.json('POST', path, { ...body, mobile }, { token });
  expect(res.status, res.text).toBe(201);
  return smsToken(mobile);
}

beforeAll(async () => {
  h = await createApiHarness();
  t.op = await h.operatorToken();
  t.province = await opened('/api/v1/admin/monitoring/departments', { kind: 'province', name: '广东省乡村振兴局', contactName: '省管理员' }, t.op);
  t.gz = await opened('/api/v1/monitoring/cities', { cityCode: '440100', name: '广州市乡村振兴局', contactName: '市管理员' }, t.province);
  t.sz = await opened('/api/v1/monitoring/cities', { cityCode: '440300', name: '深圳市乡村振兴局', contactName: '市管理员' }, t.province);
  t.market = await opened('/api/v1/monitoring/accounts', { type: 'channel', kind: 'market', name: '江南果菜批发市场', contactName: '经理' }, t.gz);
}, 180_000);
afterAll(() => h?.close());

describe('monitoring accounts API', () => {
  it('GET /monitoring/me answers the account, null without one, 401 signed out', async () => {
    const me = await h.json('GET', '/api/v1/monitoring/me', undefined, { token: t.gz });
    expect(me.json).toMatchObject({ kind: 'city', role: 'admin', cityName: '广州市', can: { manageAccounts: true } });
    const market = await h.json('GET', '/api/v1/monitoring/me', undefined, { token: t.market });
    expect(market.json).toMatchObject({ kind: 'market', parentName: '广州市乡村振兴局' });
    const stranger = await h.user();
    expect((await h.json('GET', '/api/v1/monitoring/me', undefined, { token: stranger.token })).json).toBeNull();
    expect((await h.json('GET', '/api/v1/monitoring/me')).status).toBe(401);
  });

  it('opens auditors and sub-accounts, lists them per manager, refuses the rest in Chinese', async () => {
    const mobile = buildMobile();
    const aud = await h.json('POST', '/api/v1/monitoring/accounts', { type: 'auditor', contactName: '审核员', mobile }, { token: t.gz });
    expect(aud.status, aud.text).toBe(201);
    const taken = await h.json('POST', '/api/v1/monitoring/accounts', { type: 'auditor', contactName: '审核员', mobile }, { token: t.sz });
    expect(taken.status).toBe(409);
    expect(taken.json.error).toMatchObject({ code: 'MONITORING_MOBILE_TAKEN', fields: { mobile: '该手机号已开通监测账号' } });
    const auditor = await smsToken(mobile);
    const refused = await h.json('POST', '/api/v1/monitoring/accounts', { type: 'auditor', contactName: '某', mobile: buildMobile() }, { token: auditor });
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('MONITORING_ROLE_REQUIRED');

    const sub = await h.json(
      'POST',
      '/api/v1/monitoring/accounts',
      { type: 'sub', name: '丰收果蔬商行', contactName: '老板', mobile: buildMobile() },
      { token: t.market },
    );
    expect(sub.status, sub.text).toBe(201);
    expect(sub.json).toMatchObject({ kind: 'wholesaler', name: '丰收果蔬商行' });

    const bad = await h.json(
      'POST',
      '/api/v1/monitoring/accounts',
      { type: 'channel', kind: 'bank', name: '', contactName: '', mobile: '123' },
      { token: t.gz },
    );
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields).toMatchObject({ mobile: '请填写 11 位手机号', contactName: '请填写联系人', kind: expect.any(String) });

    const list = await h.json('GET', '/api/v1/monitoring/accounts?pageSize=50', undefined, { token: t.gz });
    expect(list.status, list.text).toBe(200);
    expect(list.json.items.map((i: { name: string }) => i.name)).toEqual(expect.arrayContaining(['江南果菜批发市场', '丰收果蔬商行']));
    const other = await h.json('GET', '/api/v1/monitoring/accounts', undefined, { token: t.sz });
    expect(other.json.items.map((i: { name: string }) => i.name)).not.toContain('江南果菜批发市场');
    const mine = await h.json('GET', '/api/v1/monitoring/accounts', undefined, { token: t.market });
    expect(mine.json.items.map((i: { name: string }) => i.name)).toEqual(['丰收果蔬商行']);
    const stranger = await h.user();
    expect((await h.json('GET', '/api/v1/monitoring/accounts', undefined, { token: stranger.token })).json.error.code).toBe('MONITORING_NOT_A_MEMBER');
  });

  it('only operators open the province; only the province opens cities', async () => {
    const body = { kind: 'province', name: '另一个省', contactName: '某', mobile: buildMobile() };
    expect((await h.json('POST', '/api/v1/admin/monitoring/departments', body, { token: t.gz })).status).toBe(403);
    expect((await h.json('POST', '/api/v1/admin/monitoring/departments', body, { token: t.op })).status).toBe(409);
    const city = await h.json(
      'POST',
      '/api/v1/monitoring/cities',
      { cityCode: '440200', name: '韶关', contactName: '某', mobile: buildMobile() },
      { token: t.gz },
    );
    expect(city.status).toBe(403);
  });

  it('POST /monitoring/register registers an enterprise with the register code and signs it in; register-existing once', async () => {
    const mobile = buildMobile();
    expect((await h.json('POST', '/api/v1/auth/register-code', { mobile })).status).toBe(200);
    const code = await latestCode(h.platform, mobile);
    const bad = await h.json('POST', '/api/v1/monitoring/register', { name: '粤', contactName: '', mobile, cityCode: '110100', code });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields).toMatchObject({
      name: '单位名称至少 2 个字',
      cityCode: '请选择广东省的地级市',
      agreeTerms: '请阅读并同意用户协议和隐私政策',
    });
    const res = await h.json('POST', '/api/v1/monitoring/register', {
      name: '广州粤丰食品有限公司',
      contactName: '企业联系人',
      mobile,
      cityCode: '440100',
      code,
      agreeTerms: true,
    });
    expect(res.status, res.text).toBe(201);
    const me = await h.json('GET', '/api/v1/monitoring/me', undefined, { token: res.json.token });
    expect(me.json).toMatchObject({ kind: 'enterprise', cityName: '广州市', can: { report: true } });

    const owner = await h.user();
    const reg = await h.json('POST', '/api/v1/monitoring/register-existing', { cityCode: '440300' }, { token: owner.token });
    expect(reg.status, reg.text).toBe(201);
    expect((await h.json('POST', '/api/v1/monitoring/register-existing', { cityCode: '440300' }, { token: owner.token })).status).toBe(409);
  });
});
