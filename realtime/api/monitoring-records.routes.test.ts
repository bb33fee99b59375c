import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../db/client';
import { monitoringPerson } from '../../core/monitoring/reference.fixtures';
import { pdfBytes, refs } from '../../core/monitoring/records.fixtures';
import type { Actor } from '../../core/shared/actor';
import { createApiHarness, type ApiHarness } from './test-helpers';

let h: ApiHarness;
let periods: { regular: string; backfill: string };
const t = { province: '', city: '', market: '', wholesaler: '', outsider: '' };
let wholesalerActor: Actor;
const CHINESE = /[\u4e00-\u9fa5]/;

const content = (over: Record<string, unknown> = {}) => ({
  filingType: 'regular',
  periodId: periods.regular,
  directFromOrigin: true,
  originCountyCode: '451225',
  category: '水果',
  productName: '罗城砂糖橘',
  unit: '公斤',
  quantity: '1200.5',
  amountYuan: '8600.00',
  ...over,
});
const upload = async () =>
  (await h.platform.services.files.upload(wholesalerActor, { filename: '发票.pdf', contentType: 'application/pdf', bytes: pdfBytes() })).id;
/** The records, events and evidence rows: nothing may change on a refusal. */
const state = async () =>
  rowsOf<{ r: number; e: number; v: number; s: string }>(
    await h.platform.db.execute(sql`select (select count(*)::int from monitoring_records) as r, (select count(*)::int from monitoring_record_events) as e,
      (select count(*)::int from monitoring_evidence) as v, (select coalesce(string_agg(id::text || ':' || seq || ':' || status, ',' order by id), '') from monitoring_records) as s`),
  )[0];
/** A body sent as typed (JSON that JSON.stringify cannot write: 1e309, NUL escapes, duplicate keys). */
const raw = async (method: string, path: string, text: string, token: string) => {
  const res = await h.app.request(path, {
    method,
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), authorization: `Bearer ${token}` },
    body: text,
  });
  const body = await res.text();
  let json: { error?: { code?: string; message?: string; fields?: Record<string, string> } } = {};
  try {
    json = JSON.parse(body);
  } catch {
    /* not JSON */
  }
  return { status: res.status, json, text: body };
};
const refused = (res: { status: number; json: { error?: { message?: string } }; text: string }, what: string) => {
  expect(res.status, `${what}: ${res.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, `${what}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
  expect(res.json.error?.message ?? '', `${what}: ${res.text.slice(0, 300)}`).toMatch(CHINESE);
};

beforeAll(async () => {
  h = await createApiHarness();
  periods = await refs(h.platform.db);
  const province = await monitoringPerson(h.platform, { kind: 'province', role: 'admin' });
  const city = await monitoringPerson(h.platform, { kind: 'city', role: 'admin', departmentId: province.orgId, cityCode: '440100' });
  const market = await monitoringPerson(h.platform, { kind: 'market', role: 'reporter', departmentId: city.orgId, cityCode: '440100' });
  const wholesaler = await monitoringPerson(h.platform, {
    kind: 'wholesaler',
    role: 'reporter',
    departmentId: city.orgId,
    parentId: market.orgId,
    cityCode: '440100',
  });
  t.province = province.token;
  t.city = city.token;
  t.market = market.token;
  t.wholesaler = wholesaler.token;
  wholesalerActor = wholesaler.actor;
  t.outsider = (await h.user()).token;
}, 120_000);
afterAll(() => h?.close());

describe('购销记录 API', () => {
  it('happy: a wholesaler files, the market and the city approve (one by one, then in bulk); lists, counts, export, a draft deleted', async () => {
    const fileId = await upload();
    const created = await h.json('POST', '/api/v1/monitoring/records', { ...content(), evidence: [{ fileId, kind: 'invoice' }] }, { token: t.wholesaler });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({
      status: 'draft',
      seq: 1,
      amountFen: 860000,
      quantity: '1200.5',
      evidenceCount: 1,
      originCountyName: '罗城仫佬族自治县',
    });
    const id = created.json.id as string;

    const edited = await h.json(
      'PUT',
      `/api/v1/monitoring/records/${id}`,
      { ...content({ quantity: '1300' }), seq: 1, evidence: [{ fileId, kind: 'invoice' }] },
      { token: t.wholesaler },
    );
    expect(edited.status, edited.text).toBe(200);
    expect(edited.json).toMatchObject({ seq: 2, quantity: '1300' });
    const stale = await h.json('POST', `/api/v1/monitoring/records/${id}/submit`, { seq: 1 }, { token: t.wholesaler });
    expect(stale.status).toBe(409);
    expect(stale.json.error).toMatchObject({ code: 'MONITORING_RECORD_CHANGED', message: '记录已被他人处理或修改，请刷新后再操作' });
    const filed = await h.json('POST', `/api/v1/monitoring/records/${id}/submit`, { seq: 2 }, { token: t.wholesaler });
    expect(filed.json).toMatchObject({ status: 'filed', seq: 3 });

    const marketList = await h.json('GET', '/api/v1/monitoring/records', undefined, { token: t.market });
    expect(marketList.status, marketList.text).toBe(200);
    expect(marketList.json).toMatchObject({ total: 1, totalCapped: false, page: 1, pageSize: 20 });
    const up = await h.json('POST', `/api/v1/monitoring/records/${id}/decision`, { seq: 3, decision: 'approve' }, { token: t.market });
    expect(up.json).toMatchObject({ status: 'submitted', seq: 4 });
    const counts = await h.json('GET', '/api/v1/monitoring/records/counts', undefined, { token: t.city });
    expect(counts.json).toEqual({ pending: 1, returned: 0, drafts: 0 });
    const back = await h.json(
      'POST',
      `/api/v1/monitoring/records/${id}/decision`,
      { seq: 4, decision: 'return', comment: '发票金额与填报不符' },
      { token: t.city },
    );
    expect(back.json).toMatchObject({ status: 'returned', returnReason: '发票金额与填报不符' });
    const v2 = await h.json(
      'PUT',
      `/api/v1/monitoring/records/${id}`,
      { ...content({ quantity: '1300', amountYuan: '9000' }), seq: 5, evidence: [{ fileId, kind: 'invoice' }] },
      { token: t.wholesaler },
    );
    expect(v2.json).toMatchObject({ version: 2, seq: 6 });
    await h.json('POST', `/api/v1/monitoring/records/${id}/submit`, { seq: '6' }, { token: t.wholesaler });
    await h.json('POST', `/api/v1/monitoring/records/${id}/decision`, { seq: 7, decision: 'approve' }, { token: t.market });
    const bulk = await h.json('POST', '/api/v1/monitoring/records/bulk-approve', { ids: [id] }, { token: t.city });
    expect(bulk.status, bulk.text).toBe(200);
    expect(bulk.json).toMatchObject({ approved: 1, refused: 0 });

    const detail = await h.json('GET', `/api/v1/monitoring/records/${id}`, undefined, { token: t.province });
    expect(detail.status, detail.text).toBe(200);
    expect(detail.json).toMatchObject({ status: 'approved', level: 'viewer', actions: [], version: 2 });
    expect(detail.json.changes).toEqual([{ field: 'amountFen', label: '采购金额（元）', before: '8600.00', after: '9000.00' }]);
    const filtered = await h.json(
      'GET',
      '/api/v1/monitoring/records?tab=all&status=approved&category=%E6%B0%B4%E6%9E%9C&q=%E7%A0%82%E7%B3%96&page=1&pageSize=5',
      undefined,
      {
        token: t.city,
      },
    );
    expect(filtered.json).toMatchObject({ total: 1, totalCapped: false, pageSize: 5 });
    const file = await h.app.request('/api/v1/monitoring/records/export?tab=all', { headers: { authorization: `Bearer ${t.city}` } });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toContain('spreadsheetml');

    const draft = await h.json('POST', '/api/v1/monitoring/records', content({ productName: '要删除的草稿' }), { token: t.wholesaler });
    const gone = await h.json('DELETE', `/api/v1/monitoring/records/${draft.json.id}?seq=1`, undefined, { token: t.wholesaler });
    expect(gone.status, gone.text).toBe(200);
    expect((await h.json('GET', `/api/v1/monitoring/records/${draft.json.id}`, undefined, { token: t.wholesaler })).status).toBe(404);
  });

  it('errors: every field answered in Chinese in one answer; nothing written', async () => {
    const before = await state();
    const bad = await h.json(
      'POST',
      '/api/v1/monitoring/records',
      {
        filingType: 'monthly',
        periodId: 'x',
        directFromOrigin: 'maybe',
        originCountyCode: '45',
        category: '汽车',
        productName: '',
        unit: '辆',
        quantity: '-1',
        amountYuan: '1.234',
        evidence: [{ fileId: 'x', kind: 'photo' }],
      },
      { token: t.wholesaler },
    );
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('VALIDATION');
    const fields = bad.json.error.fields as Record<string, string>;
    for (const k of ['filingType', 'periodId', 'directFromOrigin', 'originCountyCode', 'category', 'productName', 'unit', 'quantity', 'amountYuan', 'evidence'])
      expect(Object.entries(fields).find(([f]) => f === k || f.startsWith(`${k}.`))?.[1] ?? '', k).toMatch(CHINESE);
    expect(fields).toMatchObject({
      quantity: '采购数量须大于 0，最多三位小数',
      amountYuan: '采购金额须大于 0，最多两位小数（元）',
      productName: '请填写产品名称',
    });
    const missing = await h.json('POST', '/api/v1/monitoring/records', {}, { token: t.wholesaler });
    expect(missing.json.error.fields).toMatchObject({ quantity: '请填写采购数量', amountYuan: '请填写采购金额' });
    // References: a closed or mismatched period, a county outside the list.
    const refsBad = await h.json('POST', '/api/v1/monitoring/records', content({ filingType: 'backfill', originCountyCode: '440106' }), {
      token: t.wholesaler,
    });
    // A period of the other filing type is MONITORING_PERIOD_CLOSED (409), with the field messages.
    expect(refsBad.status).toBe(409);
    expect(refsBad.json.error.fields).toEqual({ periodId: '填报期与填报类型不符', originCountyCode: '原产地不在帮扶县名单中' });
    const seq = await h.json('POST', '/api/v1/monitoring/records/00000000-0000-4000-8000-000000000000/submit', { seq: '' }, { token: t.wholesaler });
    expect(seq.status).toBe(400);
    expect(seq.json.error.fields).toEqual({ seq: '记录序号（seq）须为不小于 0 的整数，请刷新页面后重试' });
    const noReason = await h.json(
      'POST',
      '/api/v1/monitoring/records/00000000-0000-4000-8000-000000000000/decision',
      { seq: 1, decision: 'reject' },
      { token: t.city },
    );
    expect(noReason.json.error.fields).toEqual({ decision: '请选择审核通过或退回修改' });
    const bulk = await h.json('POST', '/api/v1/monitoring/records/bulk-approve', {}, { token: t.city });
    expect(bulk.json.error.fields).toEqual({ ids: '请选择记录' });
    const role = await h.json('POST', '/api/v1/monitoring/records', content(), { token: t.city });
    expect(role.status).toBe(403);
    expect(await state()).toEqual(before);
  });

  it('hostile input: huge strings, NUL bytes, 1e309, arrays and objects for strings, wrong query types → 4xx in Chinese, nothing changed, never 5xx', async () => {
    const fileId = await upload();
    const made = await h.json(
      'POST',
      '/api/v1/monitoring/records',
      { ...content({ productName: '对抗测试' }), evidence: [{ fileId, kind: 'invoice' }] },
      { token: t.wholesaler },
    );
    expect(made.status, made.text).toBe(201);
    const id = made.json.id as string;
    const before = await state();
    const bodies: [string, Record<string, unknown>][] = [
      ['huge productName', content({ productName: '橘'.repeat(200_000) })],
      ['huge quantity', content({ quantity: '9'.repeat(100_000) })],
      ['huge amount', content({ amountYuan: '1'.repeat(100_000) })],
      ['NUL in productName', content({ productName: '砂糖\u0000橘' })],
      ['control characters', content({ productName: '\u0007\u001b[31m' })],
      ['quantity NaN text', content({ quantity: 'NaN' })],
      ['quantity Infinity text', content({ quantity: 'Infinity' })],
      ['amount 1e309 text', content({ amountYuan: '1e309' })],
      ['amount negative zero', content({ amountYuan: '-0' })],
      ['array productName', content({ productName: ['砂糖橘'] })],
      ['object category', content({ category: { $ne: null } })],
      ['object quantity', content({ quantity: { valueOf: 1 } })],
      ['array amount', content({ amountYuan: [1, 2] })],
      ['number county', content({ originCountyCode: 451225.5 })],
      ['object period', content({ periodId: { id: periods.regular } })],
      ['string evidence', content({ evidence: 'all' })],
      ['evidence of objects', content({ evidence: [{ fileId: { a: 1 }, kind: ['invoice'] }] })],
      ['too much evidence', content({ evidence: Array.from({ length: 50 }, () => ({ fileId, kind: 'invoice' })) })],
    ];
    for (const [what, body] of bodies) {
      refused(await h.json('POST', '/api/v1/monitoring/records', body, { token: t.wholesaler }), `create: ${what}`);
      refused(await h.json('PUT', `/api/v1/monitoring/records/${id}`, { ...body, seq: 1 }, { token: t.wholesaler }), `update: ${what}`);
    }
    // JSON that JSON.stringify never writes.
    const c = content();
    const texts: [string, string][] = [
      ['1e309 amount', JSON.stringify(c).replace('"8600.00"', '1e309')],
      ['1e309 quantity', JSON.stringify(c).replace('"1200.5"', '1e309')],
      ['NUL escape', JSON.stringify(c).replace('罗城砂糖橘', '\\u0000')],
      ['lone surrogate', JSON.stringify(c).replace('罗城砂糖橘', '\\ud800')],
      ['not JSON', '{"productName": '],
      ['a JSON array', '[1,2,3]'],
      ['a JSON string', '"x"'],
      ['null', 'null'],
    ];
    for (const [what, text] of texts) {
      refused(await raw('POST', '/api/v1/monitoring/records', text, t.wholesaler), `create raw: ${what}`);
      refused(await raw('PUT', `/api/v1/monitoring/records/${id}`, text, t.wholesaler), `update raw: ${what}`);
    }
    for (const seq of ['', null, true, [], {}, 1.5, -1, 'abc', '1e3', 2e9]) {
      refused(await h.json('POST', `/api/v1/monitoring/records/${id}/submit`, { seq }, { token: t.wholesaler }), `submit seq ${JSON.stringify(seq)}`);
      refused(
        await h.json('POST', `/api/v1/monitoring/records/${id}/decision`, { seq, decision: 'approve' }, { token: t.market }),
        `decide seq ${JSON.stringify(seq)}`,
      );
    }
    refused(await raw('POST', `/api/v1/monitoring/records/${id}/submit`, '{"seq":1e309}', t.wholesaler), 'submit seq 1e309');
    refused(await raw('PUT', `/api/v1/monitoring/records/${id}`, `${JSON.stringify(c).slice(0, -1)},"seq":-1e309}`, t.wholesaler), 'update seq -1e309');
    refused(await h.json('POST', `/api/v1/monitoring/records/${id}/decision`, { seq: 1, decision: ['approve'] }, { token: t.market }), 'decision array');
    refused(
      await h.json('POST', `/api/v1/monitoring/records/${id}/decision`, { seq: 1, decision: 'return', comment: { text: 'x' } }, { token: t.market }),
      'comment object',
    );
    refused(
      await h.json('POST', `/api/v1/monitoring/records/${id}/decision`, { seq: 1, decision: 'return', comment: '退'.repeat(100_000) }, { token: t.market }),
      'comment huge',
    );
    for (const body of [
      { ids: 'all' },
      { ids: [{}] },
      { ids: Array.from({ length: 5001 }, () => id) },
      { filter: 'x' },
      { filter: { status: ['approved'] } },
      { ids: [id, '\u0000'] },
    ])
      refused(await h.json('POST', '/api/v1/monitoring/records/bulk-approve', body, { token: t.city }), `bulk ${JSON.stringify(body).slice(0, 40)}`);
    for (const path of [
      `/api/v1/monitoring/records/${id}?seq=`,
      `/api/v1/monitoring/records/${id}?seq=abc`,
      `/api/v1/monitoring/records/${id}?seq=1e309`,
      `/api/v1/monitoring/records/${id}?seq=1&seq=2`,
      `/api/v1/monitoring/records/${id}?seq=%00`,
    ])
      refused(await h.json('DELETE', path, undefined, { token: t.wholesaler }), `delete ${path}`);
    // Wrong types in the query: refused, never a 5xx.
    const queries = [
      'page=abc',
      'page=0',
      'page=1e309',
      'page=-1',
      'pageSize=1e309',
      'pageSize=101',
      'pageSize=2.5',
      'tab=everything',
      'tab=all&tab=pending',
      'status=deleted',
      'category=%00',
      'originProvinceCode=guangxi',
      'originCountyCode=4512251',
      'periodId=not-an-id',
      'cityCode=%E5%B9%BF%E5%B7%9E',
      'reporterKind=bank',
      `q=${'a'.repeat(5000)}`,
      'q=%00',
      'q=%E0%A4%A',
    ];
    for (const q of queries) {
      refused(await h.json('GET', `/api/v1/monitoring/records?${q}`, undefined, { token: t.city }), `list ?${q.slice(0, 40)}`);
      const exp = await h.json('GET', `/api/v1/monitoring/records/export?${q}`, undefined, { token: t.city });
      expect(exp.status, `export ?${q.slice(0, 40)}`).toBeLessThan(500);
    }
    // Odd ids in the path: not found, never a 5xx.
    for (const bad of ['x', '%00', '1e309', '00000000-0000-0000-0000-00000000000g', "'%20or%201=1--", 'a'.repeat(5000)]) {
      const res = await h.json('GET', `/api/v1/monitoring/records/${bad}`, undefined, { token: t.wholesaler });
      expect([400, 404], `get ${bad.slice(0, 20)}`).toContain(res.status);
    }
    // An unknown key is ignored (not a filter).
    expect((await h.json('GET', '/api/v1/monitoring/records?status[]=approved', undefined, { token: t.city })).status).toBe(200);
    // LIKE wildcards and SQL in q are text.
    const like = await h.json('GET', `/api/v1/monitoring/records?tab=all&q=${encodeURIComponent("%' or 1=1 --")}`, undefined, { token: t.wholesaler });
    expect(like.status, like.text).toBe(200);
    expect(like.json.total).toBe(0);
    expect(await state()).toEqual(before);
  }, 120_000);

  it('auth: anonymous 401; a non-member refused; another unit’s record is not found', async () => {
    await h.expectRefusals('signed-in', { method: 'GET', path: '/api/v1/monitoring/records' });
    await h.expectRefusals('signed-in', { method: 'POST', path: '/api/v1/monitoring/records', body: content() });
    const outsider = await h.json('GET', '/api/v1/monitoring/records', undefined, { token: t.outsider });
    expect(outsider.status).toBe(403);
    expect(outsider.json.error.code).toBe('MONITORING_NOT_A_MEMBER');
    const mine = await h.json('POST', '/api/v1/monitoring/records', content({ productName: '别人看不到' }), { token: t.wholesaler });
    const before = await state();
    for (const token of [t.outsider, t.province]) {
      const res = await h.json('GET', `/api/v1/monitoring/records/${mine.json.id}`, undefined, { token });
      expect([403, 404]).toContain(res.status);
      const del = await h.json('DELETE', `/api/v1/monitoring/records/${mine.json.id}?seq=1`, undefined, { token });
      expect([403, 404]).toContain(del.status);
    }
    // The city does not see a wholesaler's draft.
    expect((await h.json('GET', `/api/v1/monitoring/records/${mine.json.id}`, undefined, { token: t.city })).status).toBe(404);
    expect(await state()).toEqual(before);
  });
});
