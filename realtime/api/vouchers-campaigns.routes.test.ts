import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { ManualClock } from '../../core/testing/test-platform';
import { government } from '../../core/testing/mall-factories';
import { fund as topUp } from '../../core/testing/tenders-factories';
import { createApiHarness, type ApiHarness } from './test-helpers';

const clock = new ManualClock(new Date('2023-11-28T02:00:00Z'));
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness({ clock });
});
afterAll(() => h?.close());

const ROWS = [
  { categoryCode: 'general', tierNo: 1, thresholdFen: 10_000, discountFen: 3_000, count: 3000 },
  { categoryCode: 'general', tierNo: 2, thresholdFen: 15_000, discountFen: 5_000, count: 2200 },
  { categoryCode: 'dining', tierNo: 1, thresholdFen: 10_000, discountFen: 3_000, count: 5000 },
  { categoryCode: 'dining', tierNo: 2, thresholdFen: 20_000, discountFen: 6_000, count: 2500 },
];
const CAMPAIGN = { name: '火锅消费周政府惠民消费券', documentNo: '綦商务发〔2023〕80号', budgetFen: 100_000_000, validUntil: '2023-12-10T23:59' };

async function bureauToken(name = '重庆市綦江区商务委员会') {
  const b = await government(h.platform, name, '500110');
  expect((await h.json('POST', '/api/v1/auth/active-organisation', { organisationId: b.org.id }, { token: b.token })).status).toBe(200);
  return { ...b, token: b.token };
}

describe('voucher campaigns API', () => {
  it('happy: create, issuance with the manual’s rows, fund, start at the time, console, identity, export, pause / resume / stop; the public read', async () => {
    clock.set(new Date('2023-11-28T02:00:00Z'));
    const b = await bureauToken();
    const created = await h.json('POST', '/api/v1/vouchers/campaigns', CAMPAIGN, { token: b.token });
    expect(created.status, created.text).toBe(201);
    const id = created.json.id as string;
    expect(created.json).toMatchObject({ status: 'draft', statusLabel: '待划拨资金', unallocatedFen: 100_000_000 });

    const i = await h.json('POST', `/api/v1/vouchers/campaigns/${id}/issuances`, { startsAt: '2023-12-03T10:00', rows: ROWS }, { token: b.token });
    expect(i.status, i.text).toBe(201);
    expect(i.json).toMatchObject({ totalFen: 50_000_000, coupons: 12_700, status: 'scheduled' });
    const over = await h.json(
      'POST',
      `/api/v1/vouchers/campaigns/${id}/issuances`,
      { startsAt: '2023-12-04T10:00', rows: [...ROWS, { ...ROWS[0]!, tierNo: 3 }] },
      { token: b.token },
    );
    expect(over.status).toBe(422);
    expect(over.json.error).toMatchObject({ code: 'VOUCHER_BUDGET_EXCEEDED', fields: { 'rows.4.count': expect.stringContaining('本行最多 0 张') } });
    // ¥500,000 is left after the first: the manual's rows fit exactly, the extra 通用券三档 goes over.
    const list = await h.json('GET', '/api/v1/vouchers/campaigns', undefined, { token: b.token });
    expect(list.json).toMatchObject({ total: 1, items: [{ id, issuances: 1 }] });

    const poor = await h.json('POST', `/api/v1/vouchers/campaigns/${id}/fund`, undefined, { token: b.token });
    expect(poor.status).toBe(409);
    expect(poor.json.error.code).toBe('INSUFFICIENT_FUNDS');
    await topUp(h.platform, { ...b.actor, organisation: { ...b.actor.organisation!, organisationId: b.org.id } }, 100_000_000);
    const funded = await h.json('POST', `/api/v1/vouchers/campaigns/${id}/fund`, undefined, { token: b.token });
    expect(funded.status, funded.text).toBe(200);
    expect(funded.json).toMatchObject({ status: 'funded', amountFen: 100_000_000, replayed: false, walletAvailableFen: 0 });
    expect((await h.json('POST', `/api/v1/vouchers/campaigns/${id}/fund`, undefined, { token: b.token })).json.replayed).toBe(true);

    const pub = await h.json('GET', '/api/v1/vouchers/public-campaigns');
    expect(pub.status).toBe(200);
    expect(pub.json.items.map((c: { id: string }) => c.id)).toContain(id);
    expect((await h.json('GET', `/api/v1/vouchers/public-campaigns/${id}`)).json.issuances[0].tiers).toHaveLength(4);

    clock.set(new Date('2023-12-03T02:00:00Z'));
    await h.platform.jobs.runDue();
    // A session made after the jump.
    b.token = await h.loginAs(b.input);
    expect((await h.json('POST', '/api/v1/auth/active-organisation', { organisationId: b.org.id }, { token: b.token })).status).toBe(200);
    const con = await h.json('GET', `/api/v1/vouchers/campaigns/${id}/console`, undefined, { token: b.token });
    expect(con.status, con.text).toBe(200);
    expect(con.json.issuances[0]).toMatchObject({ status: 'running', granted: 0 });
    expect(con.json.identity.ok).toBe(true);
    const idn = await h.json('GET', `/api/v1/vouchers/campaigns/${id}/identity`, undefined, { token: b.token });
    expect(idn.json.terms).toEqual({ budgetFen: 100_000_000, unissuedFen: 100_000_000, grantedUnusedFen: 0, redeemedFen: 0, expiredReturnedFen: 0 });

    const x = await h.app.request(`/api/v1/vouchers/campaigns/${id}/export`, { headers: { authorization: `Bearer ${b.token}` } });
    expect(x.status).toBe(200);
    expect(x.headers.get('content-type')).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await x.arrayBuffer()) as never);
    expect(wb.getWorksheet('发券批次')!.rowCount).toBe(5);

    const frozen = await h.json('PUT', `/api/v1/vouchers/issuances/${i.json.id}`, { startsAt: '2023-12-05T10:00', rows: ROWS }, { token: b.token });
    expect(frozen.status).toBe(409);
    expect(frozen.json.error.code).toBe('VOUCHER_ISSUANCE_FROZEN');
    expect((await h.json('POST', `/api/v1/vouchers/issuances/${i.json.id}/pause`, undefined, { token: b.token })).json.status).toBe('paused');
    expect((await h.json('POST', `/api/v1/vouchers/issuances/${i.json.id}/resume`, undefined, { token: b.token })).json.status).toBe('running');
    const stopped = await h.json('POST', `/api/v1/vouchers/issuances/${i.json.id}/stop`, undefined, { token: b.token });
    expect(stopped.json).toMatchObject({ status: 'stopped', returnedFen: 50_000_000 });
    expect((await h.json('POST', `/api/v1/vouchers/issuances/${i.json.id}/stop`, undefined, { token: b.token })).status).toBe(409);
  });

  it('errors: 400 with Chinese field messages; 401 without a session; 403 for other organisations; 404 for another bureau’s campaign', async () => {
    clock.set(new Date('2023-11-28T02:00:00Z'));
    const b = await bureauToken('綦江区商务委员会（测试）');
    const bad = await h.json('POST', '/api/v1/vouchers/campaigns', { name: 'x', budgetFen: -1, validUntil: '2023-13-40' }, { token: b.token });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields).toMatchObject({ name: expect.stringContaining('活动名称'), documentNo: '请填写文号', budgetFen: '资金总额须大于 0' });
    await h.expectRefusals('signed-in', { method: 'GET', path: '/api/v1/vouchers/campaigns' });
    await h.expectRefusals('signed-in', { method: 'POST', path: '/api/v1/vouchers/campaigns', body: CAMPAIGN });
    const enterprise = await h.user();
    const refused = await h.json('POST', '/api/v1/vouchers/campaigns', CAMPAIGN, { token: enterprise.token });
    expect(refused.status).toBe(403);
    const c = await h.json('POST', '/api/v1/vouchers/campaigns', CAMPAIGN, { token: b.token });
    const other = await bureauToken('万盛经开区商务局');
    for (const path of ['', '/console', '/identity', '/export'])
      expect((await h.json('GET', `/api/v1/vouchers/campaigns/${c.json.id}${path}`, undefined, { token: other.token })).status).toBe(404);
    expect((await h.json('GET', '/api/v1/vouchers/campaigns/not-a-uuid', undefined, { token: b.token })).status).toBe(404);
    expect((await h.json('POST', '/api/v1/vouchers/issuances/not-a-uuid/stop', undefined, { token: b.token })).status).toBe(404);
    expect((await h.json('GET', '/api/v1/vouchers/public-campaigns/not-a-uuid')).status).toBe(404);
  });

  it('the routes are in the OpenAPI document', async () => {
    const doc = await h.json('GET', '/api/v1/openapi.json');
    for (const path of [
      '/vouchers/campaigns',
      '/vouchers/campaigns/{id}',
      '/vouchers/campaigns/{id}/issuances',
      '/vouchers/campaigns/{id}/fund',
      '/vouchers/campaigns/{id}/console',
      '/vouchers/campaigns/{id}/identity',
      '/vouchers/campaigns/{id}/export',
      '/vouchers/issuances/{id}',
      '/vouchers/issuances/{id}/pause',
      '/vouchers/issuances/{id}/resume',
      '/vouchers/issuances/{id}/stop',
      '/vouchers/public-campaigns',
    ])
      expect(doc.json.paths, path).toHaveProperty([`/api/v1${path}`]);
  });
});

describe('voucher campaign categories API', () => {
  it('creates with categories, edits them with field messages (400, never 5xx) until the first issuance starts, then refuses', async () => {
    clock.set(new Date('2023-11-28T02:00:00Z'));
    const b = await bureauToken('綦江区商务委员会（类别）');
    const categories = [
      { code: 'general', name: '通用券', merchantCategories: ['supermarket', 'mall'] },
      { code: 'dining', name: '餐饮券', merchantCategories: ['dining'] },
    ];
    const created = await h.json('POST', '/api/v1/vouchers/campaigns', { ...CAMPAIGN, budgetFen: 1_000_000, categories }, { token: b.token });
    expect(created.status, created.text).toBe(201);
    const id = created.json.id as string;
    expect(created.json.categories.map((k: { merchantCategoryNames: string[] }) => k.merchantCategoryNames.join('/'))).toEqual(['超市/商场', '餐饮']);
    const put = (body: unknown) => h.json('PUT', `/api/v1/vouchers/campaigns/${id}`, body, { token: b.token });
    const bad = await put({ ...CAMPAIGN, budgetFen: 1_000_000, categories: [{ code: 'general', name: '通用券', merchantCategories: [] }, 'x'] });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields).toMatchObject({ 'categories.0.merchantCategories': '请至少选择一个适用的商户类别' });
    const edited = await put({ ...CAMPAIGN, budgetFen: 1_000_000, categories: [{ ...categories[0]!, merchantCategories: ['appliances'] }, categories[1]] });
    expect(edited.status, edited.text).toBe(200);
    expect(edited.json.categories[0].merchantCategoryNames).toEqual(['家电']);
    await h.json(
      'POST',
      `/api/v1/vouchers/campaigns/${id}/issuances`,
      { startsAt: '2023-12-03T10:00', rows: [ROWS[0]!].map((r) => ({ ...r, count: 10 })) },
      { token: b.token },
    );
    await topUp(h.platform, { ...b.actor, organisation: { ...b.actor.organisation!, organisationId: b.org.id } }, 1_000_000);
    expect((await h.json('POST', `/api/v1/vouchers/campaigns/${id}/fund`, undefined, { token: b.token })).status).toBe(200);
    clock.set(new Date('2023-12-03T02:00:00Z'));
    await h.platform.jobs.runDue();
    b.token = await h.loginAs(b.input);
    expect((await h.json('POST', '/api/v1/auth/active-organisation', { organisationId: b.org.id }, { token: b.token })).status).toBe(200);
    const frozen = await put({ ...CAMPAIGN, budgetFen: 1_000_000, categories });
    expect(frozen.status).toBe(400);
    expect(frozen.json.error.fields).toEqual({ categories: '首次发券已开始，券类别已冻结，不能修改' });
  });
});
