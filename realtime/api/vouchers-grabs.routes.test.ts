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
afterAll(async () => {
  h?.platform.services.voucherGrabs.close();
  await h?.close();
});

const ROWS = [
  { categoryCode: 'general', tierNo: 1, thresholdFen: 10_000, discountFen: 3_000, count: 1 },
  { categoryCode: 'dining', tierNo: 1, thresholdFen: 10_000, discountFen: 3_000, count: 2 },
];

/** A funded campaign of the manual's shape (small counts) through the campaigns API; its issuance starts 2023-12-03 10:00. */
async function campaign() {
  clock.set(new Date('2023-11-28T02:00:00Z'));
  const b = await government(h.platform, `重庆市綦江区商务委员会${Math.random().toString(36).slice(2, 6)}`, '500110');
  expect((await h.json('POST', '/api/v1/auth/active-organisation', { organisationId: b.org.id }, { token: b.token })).status).toBe(200);
  const created = await h.json(
    'POST',
    '/api/v1/vouchers/campaigns',
    { name: '火锅消费周政府惠民消费券', documentNo: '綦商务发〔2023〕80号', budgetFen: 15_000, validUntil: '2023-12-10T23:59' },
    { token: b.token },
  );
  expect(created.status, created.text).toBe(201);
  const id = created.json.id as string;
  const i = await h.json('POST', `/api/v1/vouchers/campaigns/${id}/issuances`, { startsAt: '2023-12-03T10:00', rows: ROWS }, { token: b.token });
  expect(i.status, i.text).toBe(201);
  await topUp(h.platform, { ...b.actor, organisation: { ...b.actor.organisation!, organisationId: b.org.id } }, 15_000);
  expect((await h.json('POST', `/api/v1/vouchers/campaigns/${id}/fund`, undefined, { token: b.token })).status).toBe(200);
  return { id, issuanceId: i.json.id as string };
}

describe('voucher grabs API', () => {
  it('the clock needs nothing', async () => {
    const res = await h.json('GET', '/api/v1/vouchers/clock');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ now: clock.now().toISOString() });
  });

  it('the grab page, not started before the time, 201 at the time, already claimed, sold out, my coupons, the fairness log', async () => {
    const { id, issuanceId } = await campaign();
    const early0 = await h.user();
    const page = await h.json('GET', `/api/v1/vouchers/campaigns/${id}/grab`);
    expect(page.status, page.text).toBe(200);
    expect(page.json.issuances[0]).toMatchObject({ stateLabel: '未开始', open: false, logAvailable: false });
    const [general, dining] = page.json.issuances[0].tiers as { tierId: string; rule: string; remaining: number }[];
    expect(general).toMatchObject({ rule: '满100减30', remaining: 1 });

    const early = await h.json('POST', '/api/v1/vouchers/grabs', { tierId: general!.tierId }, { token: early0.token });
    expect(early.status).toBe(409);
    expect(early.json.error).toMatchObject({ code: 'VOUCHER_NOT_STARTED', message: '未开始：2023-12-03 10:00 开抢' });

    // At the issuance time; the start job has not run: the grab starts the issuance itself.
    clock.set(new Date('2023-12-03T02:00:00Z'));
    const [a, b] = [await h.user(), await h.user()];
    h.platform.services.voucherGrabs.useStarter((i) => h.platform.services.voucherCampaigns.ensureStarted(i));
    const ok = await h.json('POST', '/api/v1/vouchers/grabs', { tierId: general!.tierId }, { token: a.token });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.json.voucher).toMatchObject({ rule: '满100减30', status: 'unused', categoryName: '通用券' });
    // The tier is sold out now: that answer comes first, from memory (the page marks the holder's tier 已领取).
    expect((await h.json('POST', '/api/v1/vouchers/grabs', { tierId: general!.tierId }, { token: a.token })).json.error.code).toBe('VOUCHER_SOLD_OUT');
    const late = await h.json('POST', '/api/v1/vouchers/grabs', { tierId: general!.tierId }, { token: b.token });
    expect(late.status).toBe(409);
    expect(late.json.error).toMatchObject({ code: 'VOUCHER_SOLD_OUT', message: '已抢光' });
    expect((await h.json('POST', '/api/v1/vouchers/grabs', { tierId: dining!.tierId }, { token: b.token })).status).toBe(201);
    const again = await h.json('POST', '/api/v1/vouchers/grabs', { tierId: dining!.tierId }, { token: b.token });
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({ code: 'VOUCHER_ALREADY_CLAIMED', message: '已领取：每人每个类别每个档次限领 1 张' });

    const mine = await h.json('GET', '/api/v1/vouchers/mine', undefined, { token: a.token });
    expect(mine.status, mine.text).toBe(200);
    expect(mine.json.counts).toEqual({ unused: 1, used: 0, expired: 0 });
    expect(mine.json.items[0].merchantsUrl).toBe(`/vouchers/${id}/merchants`);
    const claimed = await h.json('GET', `/api/v1/vouchers/campaigns/${id}/grab`, undefined, { token: a.token });
    expect(claimed.json.issuances[0].tiers[0]).toMatchObject({ claimed: true, remaining: 0 });
    expect(claimed.json.issuances[0].stateLabel).toBe('进行中');

    const notYet = await h.json('GET', `/api/v1/vouchers/issuances/${issuanceId}/log`);
    expect(notYet.status).toBe(409);
    expect((await h.json('POST', '/api/v1/vouchers/grabs', { tierId: dining!.tierId }, { token: a.token })).status).toBe(201);
    const log = await h.json('GET', `/api/v1/vouchers/issuances/${issuanceId}/log`);
    expect(log.status, log.text).toBe(200);
    expect(log.json.total).toBe(3);
    const x = await h.app.request(`/api/v1/vouchers/issuances/${issuanceId}/log?format=xlsx`);
    expect(x.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await x.arrayBuffer()) as never);
    expect(wb.getWorksheet('领取记录')!.rowCount).toBe(4);
    const csv = await h.app.request(`/api/v1/vouchers/issuances/${issuanceId}/log?format=csv`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
  });

  it('under a crowd: sold out is answered before the session is read; no token still hears 401; a signed-out session is refused at once', async () => {
    const { id } = await campaign();
    clock.set(new Date('2023-12-03T02:00:00Z'));
    h.platform.services.voucherGrabs.useStarter((i) => h.platform.services.voucherCampaigns.ensureStarted(i));
    const page = await h.json('GET', `/api/v1/vouchers/campaigns/${id}/grab`);
    const [general, dining] = page.json.issuances[0].tiers as { tierId: string }[];
    const [a, b] = [await h.user(), await h.user()];
    expect((await h.json('POST', '/api/v1/vouchers/grabs', { tierId: general!.tierId }, { token: a.token })).status).toBe(201);

    // Sold out is public (the grab page shows remaining counts): any token hears it without a session look-up.
    const forged = await h.json('POST', '/api/v1/vouchers/grabs', { tierId: general!.tierId }, { token: 'not-a-session' });
    expect(forged.status).toBe(409);
    expect(forged.json.error.code).toBe('VOUCHER_SOLD_OUT');
    expect((await h.json('POST', '/api/v1/vouchers/grabs', { tierId: general!.tierId })).status).toBe(401);
    // A tier with coupons left needs a real session.
    expect((await h.json('POST', '/api/v1/vouchers/grabs', { tierId: dining!.tierId }, { token: 'not-a-session' })).status).toBe(401);

    // The grab reuses a session it resolved a moment ago; signing out on this node drops it at once.
    expect((await h.json('POST', '/api/v1/vouchers/grabs', { tierId: dining!.tierId }, { token: b.token })).status).toBe(201);
    expect((await h.json('POST', '/api/v1/auth/logout', undefined, { token: b.token })).status).toBeLessThan(300);
    expect((await h.json('POST', '/api/v1/vouchers/grabs', { tierId: dining!.tierId }, { token: b.token })).status).toBe(401);
  });

  it('errors: 401 without a session, 400 with a Chinese field message, 404 for unknown ids', async () => {
    await h.expectRefusals('signed-in', { method: 'POST', path: '/api/v1/vouchers/grabs', body: { tierId: '00000000-0000-4000-8000-000000000000' } });
    await h.expectRefusals('signed-in', { method: 'GET', path: '/api/v1/vouchers/mine' });
    const u = await h.user();
    const bad = await h.json('POST', '/api/v1/vouchers/grabs', { tierId: 'x' }, { token: u.token });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields.tierId).toBe('请选择要领取的券');
    expect((await h.json('POST', '/api/v1/vouchers/grabs', { tierId: '00000000-0000-4000-8000-000000000000' }, { token: u.token })).status).toBe(404);
    expect((await h.json('GET', '/api/v1/vouchers/campaigns/nope/grab')).status).toBe(404);
    expect((await h.json('GET', '/api/v1/vouchers/issuances/nope/log')).status).toBe(404);
    expect((await h.json('GET', '/api/v1/vouchers/open-campaigns')).status).toBe(200);
  });
});
