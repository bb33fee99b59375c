import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberships } from '../../db/schema';
import { buildMobile, buildUscc } from '../../core/testing/factories';
import { ManualClock } from '../../core/testing/test-platform';
import { createApiHarness, type ApiHarness } from './test-helpers';

/**
 * A budget unit's owner (the only caller who gets past the quotas routes' first check) sends malformed
 * input to every quotas, statistics and import route: never a 5xx, always a Chinese message.
 */
let h: ApiHarness;
let token = '';
let unitId = '';

beforeAll(async () => {
  h = await createApiHarness({ clock: new ManualClock(new Date('2026-11-23T02:00:00Z')) });
  const ops = await h.operator();
  const res = await h.json(
    'POST',
    '/api/v1/admin/quotas/presets',
    { fullName: '某测试区财政局', uscc: buildUscc(), role: 'finance_dept', budgetLevel: '县', contactName: '经办人', mobile: buildMobile() },
    { token: ops.token },
  );
  expect(res.status, res.text).toBe(201);
  const u = await h.user();
  await h.platform.db.insert(memberships).values({ userId: u.actor.userId, organisationId: res.json.id, role: 'owner' });
  expect((await h.json('POST', '/api/v1/auth/active-organisation', { organisationId: res.json.id }, { token: u.token })).status).toBe(200);
  token = u.token;
  const added = await h.json(
    'POST',
    '/api/v1/quotas/units',
    {
      fullName: '某测试区教育委员会',
      uscc: buildUscc(),
      contactName: '王主任',
      mobile: buildMobile(),
      budgetLevel: '县',
      annualYuan: '1000',
      ratioPercent: '10',
    },
    { token },
  );
  expect(added.status, added.text).toBe(201);
  unitId = added.json.id;
}, 120_000);
afterAll(() => h?.close());

const BAD: unknown[] = [
  null,
  -1,
  1.5,
  1e309,
  'abc',
  [],
  {},
  'x'.repeat(20_000),
  'a\u0000b',
  '\ud800',
  100.001,
  '100.001',
  '1.234',
  9e18,
  '99999999999999999999',
];
const ID = '5b0b9c6e-4f0e-4c1a-9d55-2b9e8f1c0a11';

describe('hostile input on the quotas routes', () => {
  it('bodies of every wrong shape: 4xx with a Chinese message', async () => {
    const routes: [string, string, string[]][] = [
      [
        'POST',
        '/api/v1/quotas/units',
        ['fullName', 'uscc', 'contactName', 'mobile', 'budgetLevel', 'adminLevel', 'annualYuan', 'ratioPercent', 'superiorName'],
      ],
      ['PUT', `/api/v1/quotas/units/${'U'}`, ['fullName', 'contactName', 'mobile', 'budgetLevel', 'adminLevel', 'annualYuan', 'ratioPercent', 'superiorName']],
      ['PUT', `/api/v1/quotas/units/${'U'}/figures`, ['annualFen', 'ratioBp']],
      ['POST', '/api/v1/quotas/my-unit/confirm', ['budgetLevel', 'adminLevel']],
      ['POST', '/api/v1/quotas/units/accounts', ['ids']],
      ['POST', '/api/v1/quotas/purchasers/accounts', ['ids']],
    ];
    const failures: string[] = [];
    for (const [method, raw, fields] of routes) {
      const path = raw.replace('U', unitId);
      for (const v of BAD) {
        for (const f of fields) {
          const res = await h.json(method, path, { [f]: v }, { token });
          if (res.status >= 500 || (res.status >= 400 && !/[\u4e00-\u9fff]/.test(res.json?.error?.message ?? '')))
            failures.push(`${method} ${path} ${f}=${JSON.stringify(v)?.slice(0, 30)} → ${res.status} ${res.text.slice(0, 200)}`);
        }
        const whole = await h.json(method, path, v, { token });
        if (whole.status >= 500) failures.push(`${method} ${path} body=${JSON.stringify(v)?.slice(0, 30)} → ${whole.status} ${whole.text.slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it('figures: 3 decimals, ratio over 100, negative, huge are 400 and change nothing', async () => {
    for (const body of [
      { annualFen: 1.5, ratioBp: 100 },
      { annualFen: 100, ratioBp: 10_001 },
      { annualFen: -1, ratioBp: 100 },
      { annualFen: 1e20, ratioBp: 100 },
      { annualFen: Number.MAX_SAFE_INTEGER + 2, ratioBp: 100 },
    ]) {
      const res = await h.json('PUT', `/api/v1/quotas/units/${unitId}/figures`, body, { token });
      expect(res.status, `${JSON.stringify(body)} ${res.text}`).toBe(400);
    }
    for (const body of [{ annualYuan: '1.234' }, { ratioPercent: '100.001' }, { annualYuan: '-1' }, { annualYuan: '1e30' }, { ratioPercent: 'abc' }]) {
      const res = await h.json(
        'POST',
        '/api/v1/quotas/units',
        { fullName: '某测试区卫生健康委员会', uscc: buildUscc(), contactName: '王主任', mobile: buildMobile(), budgetLevel: '县', ...body },
        { token },
      );
      expect(res.status, `${JSON.stringify(body)} ${res.text}`).toBe(400);
      expect(Object.keys(res.json.error.fields ?? {}).length, res.text).toBeGreaterThan(0);
    }
    const detail = await h.json('GET', `/api/v1/quotas/units/${unitId}`, undefined, { token });
    expect(detail.json).toMatchObject({ annualFen: 100_000, ratioBp: 1_000 });
  });

  it('path and query values of every wrong shape', async () => {
    const values = [ID, 'not-an-id', 'a%00b', '%ED%A0%80', '1e309', 'x'.repeat(3000)];
    const failures: string[] = [];
    for (const v of values) {
      for (const [m, p] of [
        ['GET', `/api/v1/quotas/units/${v}`],
        ['PUT', `/api/v1/quotas/units/${v}/figures`],
        ['POST', `/api/v1/quotas/units/${v}/resend`],
        ['POST', `/api/v1/quotas/units/${v}/reset-password`],
        ['GET', `/api/v1/quotas/units/accounts/${v}`],
        ['POST', `/api/v1/quotas/purchasers/${v}/resend`],
        ['GET', `/api/v1/imports/${v}`],
        ['GET', `/api/v1/imports/${v}/rows`],
        ['GET', `/api/v1/imports/${v}/error-workbook`],
        ['POST', `/api/v1/imports/${v}/confirm`],
        ['DELETE', `/api/v1/imports/${v}`],
        ['GET', `/api/v1/imports/templates/${v}`],
      ] as const) {
        const res = await h.json(m, p, m === 'GET' || m === 'DELETE' ? undefined : { annualFen: 1, ratioBp: 1 }, { token });
        if (res.status >= 500 || res.status < 400) failures.push(`${m} ${p.slice(0, 80)} → ${res.status} ${res.text.slice(0, 200)}`);
      }
      for (const q of [
        'page',
        'pageSize',
        'keyword',
        'accountState',
        'budgetLevel',
        'superiorId',
        'year',
        'unitId',
        'band',
        'groupBy',
        'status',
        'kind',
        'sort',
      ]) {
        for (const p of [
          '/api/v1/quotas/units',
          '/api/v1/quotas/units/export',
          '/api/v1/quotas/purchasers',
          '/api/v1/quotas/statistics/unit',
          '/api/v1/quotas/statistics/subtree',
          '/api/v1/quotas/statistics/orders',
          '/api/v1/quotas/statistics/export',
          '/api/v1/imports',
          `/api/v1/imports/${ID}/rows`,
        ]) {
          const res = await h.json('GET', `${p}?${q}=${v}`, undefined, { token });
          if (res.status >= 500) failures.push(`GET ${p}?${q}=${v.slice(0, 40)} → ${res.status} ${res.text.slice(0, 200)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
