import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { ManualClock } from '../../core/testing/test-platform';
import { GATEWAY_SECRET, individual, merchant, signedNotice } from '../../core/testing/mall-factories';
import { enrolment, fundedCampaign, grant, storefrontPng } from '../../core/testing/vouchers-factories';
import { buildUscc } from '../../core/testing/factories';
import { organisations } from '../../db/schema';
import { createApiHarness, type ApiHarness } from './test-helpers';

const clock = new ManualClock(new Date('2023-12-03T02:00:00Z'));
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness({ clock });
});
afterAll(() => h?.close());

const active = async (token: string, organisationId: string) =>
  expect((await h.json('POST', '/api/v1/auth/active-organisation', { organisationId }, { token })).status).toBe(200);

describe('voucher merchants, payment codes, redemptions and settlement API', () => {
  it('enrol → approve → public list → code → quote → redeem → pay → settle → report; refusals with their codes', async () => {
    const p = h.platform;
    const c = await fundedCampaign(p, { validDays: 3 });
    await active(c.bureau.token, c.bureau.org.id);
    const shop = await merchant(p, '綦江区古南街道老灶火锅店', '500110');
    await active(shop.token, shop.org.id);

    const form = await enrolment(p, shop.actor);
    const enrolled = await h.json('POST', `/api/v1/vouchers/campaigns/${c.campaign.id}/merchants`, form, { token: shop.token });
    expect(enrolled.status, enrolled.text).toBe(201);
    expect(enrolled.json).toMatchObject({ status: 'pending', regionName: '古南街道' });
    const bad = await h.json('POST', `/api/v1/vouchers/campaigns/${c.campaign.id}/merchants`, { ...form, merchantNo: 'abc' }, { token: shop.token });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields).toHaveProperty('merchantNo');
    expect((await h.json('POST', `/api/v1/vouchers/merchants/${enrolled.json.id}/approve`, undefined, { token: shop.token })).status).toBe(404);
    const review = await h.json('GET', `/api/v1/vouchers/campaigns/${c.campaign.id}/merchants/review?status=pending`, undefined, { token: c.bureau.token });
    expect(review.status, review.text).toBe(200);
    expect(review.json.items).toHaveLength(1);
    const ok = await h.json('POST', `/api/v1/vouchers/merchants/${enrolled.json.id}/approve`, undefined, { token: c.bureau.token });
    expect(ok.status, ok.text).toBe(200);
    const list = await h.json('GET', `/api/v1/vouchers/campaigns/${c.campaign.id}/merchants?keyword=老灶&regionCode=500110001&category=dining`);
    expect(list.status, list.text).toBe(200);
    expect(list.json).toMatchObject({ total: 1, items: [{ name: '綦江区古南街道老灶火锅店' }] });
    expect((await h.json('GET', `/api/v1/vouchers/campaigns/${c.campaign.id}/merchants?page=0`)).status).toBe(400);
    expect((await h.json('GET', `/api/v1/vouchers/campaigns/not-a-campaign/merchants`)).status).toBe(404);

    const resident = await individual(p, null);
    await grant(p, c, resident.actor.userId, 2);
    expect((await h.json('POST', '/api/v1/vouchers/payment-codes')).status).toBe(401);
    const code = await h.json('POST', '/api/v1/vouchers/payment-codes', undefined, { token: resident.token });
    expect(code.status, code.text).toBe(201);
    expect(code.json.digits).toMatch(/^\d{18}$/);
    const forged = code.json.digits.slice(0, 17) + String((Number(code.json.digits.at(-1)) + 1) % 10);
    expect((await h.json('POST', '/api/v1/vouchers/redemptions/quote', { code: forged, billFen: 12_000 }, { token: shop.token })).json.error.code).toBe(
      'VOUCHER_CODE_INVALID',
    );
    expect((await h.json('POST', '/api/v1/vouchers/redemptions/quote', { code: '12', billFen: 12_000 }, { token: shop.token })).status).toBe(400);
    const quote = await h.json('POST', '/api/v1/vouchers/redemptions/quote', { code: code.json.digits, billFen: 12_000 }, { token: shop.token });
    expect(quote.status, quote.text).toBe(200);
    expect(quote.json).toMatchObject({ discountFen: 3_000, payFen: 9_000 });
    const created = await h.json('POST', '/api/v1/vouchers/redemptions', { code: code.json.digits, billFen: 12_000 }, { token: shop.token });
    expect(created.status, created.text).toBe(201);
    const used = await h.json('POST', '/api/v1/vouchers/redemptions', { code: code.json.digits, billFen: 12_000 }, { token: shop.token });
    expect([used.status, used.json.error.code]).toEqual([409, 'VOUCHER_CODE_USED']);
    const status = await h.json('GET', `/api/v1/vouchers/payment-codes/${code.json.id}`, undefined, { token: resident.token });
    expect(status.json).toMatchObject({ state: 'used', redemptionId: created.json.id });

    const stranger = await individual(p, null);
    expect((await h.json('POST', `/api/v1/vouchers/redemptions/${created.json.id}/pay`, undefined, { token: stranger.token })).status).toBe(404);
    const pay = await h.json('POST', `/api/v1/vouchers/redemptions/${created.json.id}/pay`, undefined, { token: resident.token });
    expect(pay.status, pay.text).toBe(200);
    expect(pay.json.redirectUrl).toContain(created.json.redemptionNo);
    const n = signedNotice(GATEWAY_SECRET, { orderNo: created.json.redemptionNo, amountFen: 9_000 });
    const notified = await h.call('POST', '/api/v1/payments/notify', { headers: n.headers, body: JSON.parse(n.raw) });
    expect(notified.status, notified.text).toBe(200);
    const paid = await h.json('GET', `/api/v1/vouchers/redemptions/${created.json.id}`, undefined, { token: resident.token });
    expect(paid.json.status).toBe('paid');
    const mine = await h.json('GET', '/api/v1/vouchers/redemptions', undefined, { token: shop.token });
    expect(mine.status, mine.text).toBe(200);
    expect(mine.json.total).toBe(1);

    const late = await h.json('POST', '/api/v1/vouchers/payment-codes', undefined, { token: resident.token });
    clock.advance(61_000);
    const expired = await h.json('POST', '/api/v1/vouchers/redemptions/quote', { code: late.json.digits, billFen: 12_000 }, { token: shop.token });
    expect([expired.status, expired.json.error.code]).toEqual([410, 'VOUCHER_CODE_EXPIRED']);

    const early = await h.json('POST', `/api/v1/vouchers/campaigns/${c.campaign.id}/settlement`, undefined, { token: c.bureau.token });
    expect([early.status, early.json.error.code]).toEqual([409, 'VOUCHER_SETTLEMENT_NOT_DUE']);
    clock.advance(4 * 24 * 3600_000);
    // Sessions idle that long have ended: sign in again.
    const bureauToken = await h.loginAs(c.bureau.input);
    await active(bureauToken, c.bureau.org.id);
    const shopToken = await h.loginAs(shop.input);
    await active(shopToken, shop.org.id);
    const settled = await h.json('POST', `/api/v1/vouchers/campaigns/${c.campaign.id}/settlement`, undefined, { token: bureauToken });
    expect(settled.status, settled.text).toBe(200);
    expect(settled.json).toMatchObject({ settled: true, totals: { redemptions: 1, discountFen: 3_000, billFen: 12_000 } });
    const statement = await h.json('GET', `/api/v1/vouchers/merchant/statement?campaignId=${c.campaign.id}`, undefined, { token: shopToken });
    expect(statement.status, statement.text).toBe(200);
    expect(statement.json.settlement).toMatchObject({ discountFen: 3_000 });
    const report = await h.call('GET', `/api/v1/vouchers/campaigns/${c.campaign.id}/settlement/export`, { token: bureauToken });
    expect(report.status).toBe(200);
    expect((await h.call('GET', `/api/v1/vouchers/campaigns/${c.campaign.id}/settlement/export`, { token: shopToken })).status).toBe(404);
  });

  it('bulk enrolment from an XLSX sheet reports each bad row', async () => {
    const p = h.platform;
    const c = await fundedCampaign(p);
    await active(c.bureau.token, c.bureau.org.id);
    const uscc = buildUscc();
    await p.db.insert(organisations).values({ kind: 'merchant', fullName: '綦江区东溪镇百货商店', regionCode: '500110', uscc });
    const tpl = await h.call('GET', `/api/v1/vouchers/campaigns/${c.campaign.id}/merchants/template`, { token: c.bureau.token });
    expect(tpl.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('商户名单');
    ws.addRow(['商户名称', '经营地址', '所在街镇', '经营类别', '商户编号', '联系人', '联系电话', '统一社会信用代码']);
    ws.addRow(['綦江区东溪镇百货商店', '重庆市綦江区东溪镇朝阳街 5 号', '东溪镇', '百货', '102500110000009', '李四', '13900139000', uscc]);
    ws.addRow(['无此商户', '重庆市綦江区东溪镇朝阳街 6 号', '东溪镇', '百货', '102500110000010', '李四', '13900139000', buildUscc()]);
    ws.addRow(['坏行', '短', '火星镇', '百货', '123', '李四', '123', uscc]);
    const bytes = await wb.xlsx.writeBuffer();
    const fd = new FormData();
    fd.append('file', new File([bytes as ArrayBuffer], 'merchants.xlsx', { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }));
    // Sent as a browser or curl would: the multipart body with its type and length (the JSON-only check
    // must let this upload through).
    const multipart = new Request('http://x', { method: 'POST', body: fd });
    const payload = new Uint8Array(await multipart.arrayBuffer());
    const res = await h.app.request(`/api/v1/vouchers/campaigns/${c.campaign.id}/merchants/import`, {
      method: 'POST',
      body: payload,
      headers: {
        authorization: `Bearer ${c.bureau.token}`,
        'content-type': multipart.headers.get('content-type')!,
        'content-length': String(payload.byteLength),
      },
    });
    const body = (await res.json()) as { rows: number; enrolled: number; errors: { row: number; message: string }[] };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.rows).toBe(3);
    expect(body.enrolled).toBe(1);
    expect(body.errors.map((e) => e.row)).toEqual([3, 4]);
    expect(body.errors[1]!.message).toContain('街镇');
    const list = await h.json('GET', `/api/v1/vouchers/campaigns/${c.campaign.id}/merchants?category=department_store`);
    expect(list.json.total).toBe(1);
  });

  it('a merchant replaces its storefront photo (a bulk-enrolled one adds its first); others cannot; bad input is a field message', async () => {
    const p = h.platform;
    const c = await fundedCampaign(p, { validDays: 3 });
    const shop = await merchant(p, '綦江区三江街道照片测试店', '500110');
    await active(shop.token, shop.org.id);
    const enrolled = await h.json('POST', `/api/v1/vouchers/campaigns/${c.campaign.id}/merchants`, await enrolment(p, shop.actor), { token: shop.token });
    expect(enrolled.status, enrolled.text).toBe(201);
    const first = enrolled.json.photoUrl as string;
    const upload = await p.services.files.upload(shop.actor, { filename: 'new.png', contentType: 'image/png', bytes: await storefrontPng(), imageOnly: true });
    const url = `/api/v1/vouchers/merchants/${enrolled.json.id}/photo`;
    expect((await h.json('PUT', url, { photoFileId: upload.id })).status).toBe(401);
    const other = await merchant(p, '綦江区三江街道别家店', '500110');
    await active(other.token, other.org.id);
    const theirs = await p.services.files.upload(other.actor, { filename: 'x.png', contentType: 'image/png', bytes: await storefrontPng(), imageOnly: true });
    expect((await h.json('PUT', url, { photoFileId: theirs.id }, { token: other.token })).status).toBe(404);
    const bad = await h.json('PUT', url, { photoFileId: 'nope' }, { token: shop.token });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields.photoFileId).toBe('请上传门头照片');
    // Someone else's upload is not usable, even by the right merchant.
    expect((await h.json('PUT', url, { photoFileId: theirs.id }, { token: shop.token })).json.error.fields.photoFileId).toBe('附件不存在或不能使用');
    const ok = await h.json('PUT', url, { photoFileId: upload.id }, { token: shop.token });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json).toMatchObject({ status: 'pending', photoUrl: `/api/v1/files/${upload.id}` });
    expect(ok.json.photoUrl).not.toBe(first);
  });
});
