import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform } from '../testing/test-platform';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import { eq } from 'drizzle-orm';
import { monitoringMembers } from '../../db/schema';
import { addPerson, addWorld, pdfBytes, refs } from './records.fixtures';

let p: Platform;
let w: Awaited<ReturnType<typeof addWorld>>;
let periods: { regular: string; backfill: string };
const svc = () => p.services.monitoringRecords;
const content = () => ({
  filingType: 'regular',
  periodId: periods.regular,
  directFromOrigin: 'false',
  originCountyCode: '451225',
  category: '蔬菜',
  productName: '罗城毛葡萄',
  unit: '吨',
  quantity: '3',
  amountYuan: '12000',
});
const code = async (f: () => Promise<unknown>) => {
  try {
    await f();
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
};
/** A record of `a` in the given state (submitted / filed via the parent / approved). */
async function recordOf(a: Actor, upTo: 'draft' | 'sent' | 'approved', parent?: Actor, dept?: Actor) {
  const f = (await p.services.files.upload(a, { filename: '合同.pdf', contentType: 'application/pdf', bytes: pdfBytes() })).id;
  const r = await svc().create(a, { ...content(), evidence: [{ fileId: f, kind: 'contract' }] });
  if (upTo === 'draft') return r;
  let v = await svc().submit(a, r.id, { seq: r.seq });
  if (upTo === 'sent') return v;
  if (v.status === 'filed') v = await svc().decide(parent!, r.id, { seq: v.seq, decision: 'approve' });
  return svc().decide(dept!, r.id, { seq: v.seq, decision: 'approve' });
}
const ids = async (a: Actor, tab = 'all') => new Set((await svc().list(a, { tab, pageSize: '100' })).items.map((i) => i.id));

let rec: Record<string, { id: string; seq: number }>;
beforeAll(async () => {
  p = await createTestPlatform();
  w = await addWorld(p.db);
  periods = await refs(p.db);
  rec = {
    wholesalerDraft: await recordOf(w.wholesaler.actor, 'draft'),
    wholesalerFiled: await recordOf(w.wholesaler.actor, 'sent'),
    wholesaler2Filed: await recordOf(w.wholesaler2.actor, 'sent'),
    otherWholesalerFiled: await recordOf(w.otherWholesaler.actor, 'sent'),
    marketSubmitted: await recordOf(w.market.actor, 'sent'),
    market2Draft: await recordOf(w.market2.actor, 'draft'),
    storeApproved: await recordOf(w.store.actor, 'approved', w.chain.actor, w.gz.actor),
    szApproved: await recordOf(w.szMarket.actor, 'approved', undefined, w.sz.actor),
    szSubmitted: await recordOf(w.szMarket.actor, 'sent'),
    listedSubmitted: await recordOf(w.listed.actor, 'sent'),
  };
}, 120_000);
afterAll(async () => {
  await p?.close();
});

describe('who sees which records', () => {
  it('a wholesaler sees only its own', async () => {
    const seen = await ids(w.wholesaler.actor);
    expect([...seen].sort()).toEqual([rec.wholesalerDraft!.id, rec.wholesalerFiled!.id].sort());
  });
  it('a market sees its own and its wholesalers’ filed records, never their drafts, never another market’s', async () => {
    const seen = await ids(w.market.actor);
    expect([...seen].sort()).toEqual([rec.wholesalerFiled!.id, rec.wholesaler2Filed!.id, rec.marketSubmitted!.id].sort());
    expect(await ids(w.market.actor, 'pending')).toEqual(new Set([rec.wholesalerFiled!.id, rec.wholesaler2Filed!.id]));
  });
  it('a city sees the non-drafts it reviews, never another city’s', async () => {
    const seen = await ids(w.gz.actor);
    expect(seen.has(rec.wholesalerDraft!.id)).toBe(false);
    expect(seen.has(rec.market2Draft!.id)).toBe(false);
    expect(seen.has(rec.szApproved!.id)).toBe(false);
    expect(seen.has(rec.listedSubmitted!.id)).toBe(false);
    expect(seen.has(rec.storeApproved!.id)).toBe(true);
    expect(seen.has(rec.wholesalerFiled!.id)).toBe(true);
    expect(await ids(w.gz.actor, 'pending')).toEqual(new Set([rec.marketSubmitted!.id]));
    expect(await ids(w.gzAuditor, 'pending')).toEqual(new Set([rec.marketSubmitted!.id]));
    const sz = await ids(w.sz.actor);
    expect([...sz].sort()).toEqual([rec.szApproved!.id, rec.szSubmitted!.id].sort());
  });
  it('the province sees every approved record and its own 单列 queue', async () => {
    const seen = await ids(w.province.actor);
    expect([...seen].sort()).toEqual([rec.storeApproved!.id, rec.szApproved!.id, rec.listedSubmitted!.id].sort());
    expect(await ids(w.province.actor, 'pending')).toEqual(new Set([rec.listedSubmitted!.id]));
    const d = await svc().decide(w.province.actor, rec.listedSubmitted!.id, { seq: rec.listedSubmitted!.seq, decision: 'approve' });
    expect(d.status).toBe('approved');
  });
  it('an unseen record is NOT_FOUND for every operation, and its evidence is not readable', async () => {
    const unseen: [Actor, string][] = [
      [w.market.actor, rec.otherWholesalerFiled!.id],
      [w.market2.actor, rec.wholesalerFiled!.id],
      [w.wholesaler2.actor, rec.wholesalerFiled!.id],
      [w.sz.actor, rec.marketSubmitted!.id],
      [w.gz.actor, rec.szSubmitted!.id],
      [w.gz.actor, rec.wholesalerDraft!.id],
      [w.province.actor, rec.marketSubmitted!.id],
      [w.market.actor, rec.wholesalerDraft!.id],
    ];
    for (const [a, id] of unseen) {
      expect(await code(() => svc().detail(a, id))).toBe('NOT_FOUND');
      expect(await code(() => svc().decide(a, id, { seq: 2, decision: 'approve' }))).toBe('NOT_FOUND');
      expect(await code(() => svc().submit(a, id, { seq: 1 }))).toBe('NOT_FOUND');
      expect(await code(() => svc().update(a, id, { ...content(), seq: 1 }))).toBe('NOT_FOUND');
      expect(await code(() => svc().remove(a, id, { seq: 1 }))).toBe('NOT_FOUND');
      expect(await svc().canReadEvidence(a, id)).toBe(false);
    }
    expect(await code(() => svc().detail(w.gz.actor, 'not-a-uuid'))).toBe('NOT_FOUND');
    // A bulk approval names unseen records as not found and changes nothing.
    const res = await svc().bulkApprove(w.gz.actor, { ids: [rec.szSubmitted!.id] });
    expect(res.results).toEqual([{ id: rec.szSubmitted!.id, ok: false, code: 'NOT_FOUND', message: '记录不存在' }]);
    expect((await svc().detail(w.sz.actor, rec.szSubmitted!.id)).status).toBe('submitted');
  });
  it('seen but not theirs to decide: the province cannot decide a city’s approved record; an auditor cannot file', async () => {
    expect(await code(() => svc().decide(w.province.actor, rec.storeApproved!.id, { seq: 5, decision: 'return', comment: 'x' }))).toBe(
      'MONITORING_ROLE_REQUIRED',
    );
    expect(await code(() => svc().create(w.gzAuditor, content()))).toBe('MONITORING_ROLE_REQUIRED');
    expect(await code(() => svc().list(null, {}))).toBe('UNAUTHENTICATED');
  });
});

describe('mine: only the acting unit’s own records', () => {
  it('a market sees the wholesaler’s record it returned in the list, but not under mine; the home count agrees with mine', async () => {
    const wholesalers = await recordOf(w.wholesaler.actor, 'sent');
    await svc().decide(w.market.actor, wholesalers.id, { seq: wholesalers.seq, decision: 'return', comment: '请补充运单' });
    const own = await recordOf(w.market.actor, 'sent');
    await svc().decide(w.gz.actor, own.id, { seq: own.seq, decision: 'return', comment: '发票抬头不一致' });

    const returned = async (a: Actor, mine?: boolean | string) =>
      (await svc().list(a, { tab: 'all', status: 'returned', pageSize: 100, ...(mine === undefined ? {} : { mine }) })).items.map((i) => i.id);
    expect((await returned(w.market.actor)).sort()).toEqual([wholesalers.id, own.id].sort());
    expect(await returned(w.market.actor, true)).toEqual([own.id]);
    expect(await returned(w.market.actor, 'true')).toEqual([own.id]);
    expect((await returned(w.market.actor, false)).sort()).toEqual([wholesalers.id, own.id].sort());
    expect((await svc().pendingCounts(w.market.actor)).returned).toBe(1);
    // The wholesaler's own returned record is its own.
    expect(await returned(w.wholesaler.actor, true)).toEqual([wholesalers.id]);
    expect((await svc().pendingCounts(w.wholesaler.actor)).returned).toBe(1);
    expect(await code(() => svc().list(w.market.actor, { mine: 'maybe' }))).toBe('VALIDATION');
  });
});

describe('listPage reads ahead with the last part it saw, and the fresh lookup decides', () => {
  it('a person whose part changed between two pages sees what the new part sees; one without a session, nothing', async () => {
    const person = await addPerson(p.db, w.market2.orgId, '市场二同事', 'enterprise', 'reporter');
    const page = async () => (await svc().listPage(person, { tab: 'all', pageSize: 100 })).items.map((i) => i.id);
    expect(await page()).toContain(rec.market2Draft!.id);
    // Now an auditor of that market (a part without records): the page read ahead with the old part is dropped.
    await p.db.update(monitoringMembers).set({ role: 'auditor' }).where(eq(monitoringMembers.userId, person.userId));
    expect(await page()).toEqual([]);
    await p.db.update(monitoringMembers).set({ role: 'reporter' }).where(eq(monitoringMembers.userId, person.userId));
    expect(await page()).toContain(rec.market2Draft!.id);
    // Removed from monitoring: refused, whatever was read ahead.
    await p.db.delete(monitoringMembers).where(eq(monitoringMembers.userId, person.userId));
    expect(await code(() => svc().listPage(person, {}))).toBe('MONITORING_NOT_A_MEMBER');
    expect(await code(() => svc().listPage(null, { pageSize: 'x' }))).toBe('UNAUTHENTICATED');
  });
});
