import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { auditLog, monitoringRecordEvents, monitoringRecords, siteMessages } from '../../db/schema';
import { createTestPlatform } from '../testing/test-platform';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import { addWorld, pdfBytes, refs } from './records.fixtures';
import { actingMonitor } from './monitoring.acting';
import { checkRecordContent, makeRecordRefs } from './records.schema';
import { recordsRepo } from './records.repo';

let p: Platform;
let w: Awaited<ReturnType<typeof addWorld>>;
let periods: { regular: string; backfill: string };
const svc = () => p.services.monitoringRecords;
const content = (over: Record<string, unknown> = {}) => ({
  filingType: 'regular',
  periodId: periods.regular,
  directFromOrigin: true,
  originCountyCode: '451225',
  category: '水果',
  productName: '砂糖橘',
  unit: '公斤',
  quantity: '1200.5',
  amountYuan: '8600.00',
  ...over,
});
const upload = async (a: Actor, type = 'application/pdf', bytes = pdfBytes()) =>
  (await p.services.files.upload(a, { filename: type === 'application/pdf' ? '发票.pdf' : 'note.txt', contentType: type, bytes })).id;
const code = async (f: () => Promise<unknown>) => {
  try {
    await f();
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
};
const events = (id: string) => p.db.select().from(monitoringRecordEvents).where(eq(monitoringRecordEvents.recordId, id)).orderBy(monitoringRecordEvents.seq);

beforeAll(async () => {
  p = await createTestPlatform();
  w = await addWorld(p.db);
  periods = await refs(p.db);
}, 60_000);
afterAll(async () => {
  await p?.close();
});

describe('purchase records: the paths', () => {
  it('a wholesaler files, the market approves, the city returns, the wholesaler edits (version 2) and resubmits, both approve', async () => {
    const fileId = await upload(w.wholesaler.actor);
    const created = await svc().create(w.wholesaler.actor, { ...content(), evidence: [{ fileId, kind: 'invoice' }] });
    expect(created).toMatchObject({
      status: 'draft',
      seq: 1,
      version: 1,
      amountFen: 860000,
      quantity: '1200.5',
      originProvinceCode: '450000',
      originCityCode: '451200',
      originCountyName: '罗城仫佬族自治县',
      cityName: '广州市',
      parentName: w.market.name,
      evidenceCount: 1,
    });
    // Draft edits stay version 1.
    const edited = await svc().update(w.wholesaler.actor, created.id, { ...content({ quantity: '1300' }), seq: 1, evidence: [{ fileId, kind: 'invoice' }] });
    expect(edited).toMatchObject({ seq: 2, version: 1, quantity: '1300' });
    expect(await code(() => svc().submit(w.wholesaler.actor, created.id, { seq: 1 }))).toBe('MONITORING_RECORD_CHANGED');
    // A blank seq is no seq (never read as 0).
    await expect(svc().submit(w.wholesaler.actor, created.id, { seq: '' })).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { seq: '记录序号（seq）须为不小于 0 的整数，请刷新页面后重试' },
    });
    const filed = await svc().submit(w.wholesaler.actor, created.id, { seq: 2 });
    expect(filed).toMatchObject({ status: 'filed', seq: 3 });
    // Filed: locked for the reporter; the city does not act on it yet.
    expect(await code(() => svc().update(w.wholesaler.actor, created.id, { ...content(), seq: 3 }))).toBe('MONITORING_RECORD_LOCKED');
    expect(await code(() => svc().decide(w.gz.actor, created.id, { seq: 3, decision: 'approve' }))).toBe('INVALID_TRANSITION');
    const up = await svc().decide(w.market.actor, created.id, { seq: 3, decision: 'approve' });
    expect(up).toMatchObject({ status: 'submitted', seq: 4 });
    expect(up.submittedAt).not.toBeNull();
    expect(await code(() => svc().decide(w.gzAuditor, created.id, { seq: 4, decision: 'return' }))).toBe('VALIDATION');
    const back = await svc().decide(w.gzAuditor, created.id, { seq: 4, decision: 'return', comment: '发票金额与填报不符' });
    expect(back).toMatchObject({ status: 'returned', returnReason: '发票金额与填报不符', returnedBy: 'department', seq: 5 });
    const [msg] = await p.db.select().from(siteMessages).where(eq(siteMessages.userId, w.wholesaler.actor.userId));
    expect(msg?.title).toBe('购销记录被退回修改');
    const v2 = await svc().update(w.wholesaler.actor, created.id, {
      ...content({ amountYuan: '9000', quantity: '1300' }),
      seq: 5,
      evidence: [{ fileId, kind: 'invoice' }],
    });
    expect(v2).toMatchObject({ status: 'returned', version: 2, seq: 6, amountFen: 900000 });
    // A second edit before resubmitting stays version 2.
    const v2b = await svc().update(w.wholesaler.actor, created.id, {
      ...content({ amountYuan: '9100', quantity: '1300' }),
      seq: 6,
      evidence: [{ fileId, kind: 'invoice' }],
    });
    expect(v2b).toMatchObject({ version: 2, seq: 7 });
    const again = await svc().submit(w.wholesaler.actor, created.id, { seq: 7 });
    expect(again).toMatchObject({ status: 'filed', returnReason: null, returnedBy: null });
    await svc().decide(w.market.actor, created.id, { seq: 8, decision: 'approve' });
    const done = await svc().decide(w.gz.actor, created.id, { seq: 9, decision: 'approve' });
    expect(done.status).toBe('approved');
    expect(done.approvedAt).not.toBeNull();
    expect(await code(() => svc().update(w.wholesaler.actor, created.id, { ...content(), seq: 10 }))).toBe('MONITORING_RECORD_LOCKED');

    const d = await svc().detail(w.wholesaler.actor, created.id);
    expect(d.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(d.versions[0]!.content).toMatchObject({ amountFen: 860000, quantity: '1300' });
    expect(d.changes).toEqual([{ field: 'amountFen', label: '采购金额（元）', before: '8600.00', after: '9100.00' }]);
    expect(d.timeline.map((t) => `${t.seq}:${t.action}:${t.fromStatus ?? '-'}>${t.toStatus}:${t.level}`)).toEqual([
      '1:create:->draft:reporter',
      '2:edit:draft>draft:reporter',
      '3:submit:draft>filed:reporter',
      '4:approve:filed>submitted:parent',
      '5:return:submitted>returned:department',
      '6:edit:returned>returned:reporter',
      '7:edit:returned>returned:reporter',
      '8:submit:returned>filed:reporter',
      '9:approve:filed>submitted:parent',
      '10:approve:submitted>approved:department',
    ]);
    expect(d.timeline[4]!.comment).toBe('发票金额与填报不符');
    expect(d.evidence).toMatchObject([{ kind: 'invoice', kindLabel: '发票', file: { id: fileId, url: `/api/v1/files/${fileId}` } }]);
    expect(d.level).toBe('reporter');
    expect(d.actions).toEqual([]);
    const audits = await p.db.select().from(auditLog).where(eq(auditLog.targetId, created.id));
    // Four decisions: the market's two approvals, the city's return and its final approval.
    expect(audits.map((a) => a.action).sort()).toEqual(['monitoring.approve', 'monitoring.approve', 'monitoring.approve', 'monitoring.return']);
    const msgs = await p.db.select().from(siteMessages).where(eq(siteMessages.userId, w.wholesaler.actor.userId));
    expect(msgs.map((m) => m.title).sort()).toEqual(['购销记录审核通过', '购销记录被退回修改']);
    // The province reads approved records.
    expect((await svc().detail(w.province.actor, created.id)).level).toBe('viewer');
    expect(await svc().canReadEvidence(w.province.actor, created.id)).toBe(true);
  });

  it('a market without a parent goes straight to the city; the market returns its wholesaler’s record', async () => {
    const f = await upload(w.market.actor);
    const own = await svc().create(w.market.actor, { ...content(), evidence: [{ fileId: f, kind: 'contract' }] });
    expect((await svc().submit(w.market.actor, own.id, { seq: 1 })).status).toBe('submitted');
    const g = await upload(w.wholesaler2.actor);
    const sub = await svc().create(w.wholesaler2.actor, { ...content(), evidence: [{ fileId: g, kind: 'waybill' }] });
    await svc().submit(w.wholesaler2.actor, sub.id, { seq: 1 });
    const back = await svc().decide(w.market.actor, sub.id, { seq: 2, decision: 'return', comment: '请补充运单' });
    expect(back).toMatchObject({ status: 'returned', returnedBy: 'parent' });
    const detail = await svc().detail(w.wholesaler2.actor, sub.id);
    expect(detail.actions.sort()).toEqual(['edit', 'submit']);
  });

  it('evidence: required to submit; PDF or images only; the organisation’s own files; an update replaces the list', async () => {
    const r0 = await svc().create(w.ecommerce.actor, content());
    expect(await code(() => svc().submit(w.ecommerce.actor, r0.id, { seq: 1 }))).toBe('MONITORING_EVIDENCE_REQUIRED');
    const txt = await upload(w.ecommerce.actor, 'text/plain', new TextEncoder().encode('hello'));
    const bad = await code(() => svc().update(w.ecommerce.actor, r0.id, { ...content(), seq: 1, evidence: [{ fileId: txt, kind: 'other' }] }));
    expect(bad).toBe('VALIDATION');
    const foreign = await upload(w.chain.actor);
    expect(await code(() => svc().update(w.ecommerce.actor, r0.id, { ...content(), seq: 1, evidence: [{ fileId: foreign, kind: 'other' }] }))).toBe(
      'VALIDATION',
    );
    const a = await upload(w.ecommerce.actor);
    const b = await upload(w.ecommerce.actor);
    const withTwo = await svc().update(w.ecommerce.actor, r0.id, {
      ...content(),
      seq: 1,
      evidence: [
        { fileId: a, kind: 'invoice' },
        { fileId: b, kind: 'contract' },
      ],
    });
    expect(withTwo.evidenceCount).toBe(2);
    const withOne = await svc().update(w.ecommerce.actor, r0.id, { ...content(), seq: 2, evidence: [{ fileId: b, kind: 'contract' }] });
    expect(withOne.evidenceCount).toBe(1);
    // The dropped file is no longer readable through the record.
    expect(await code(() => p.services.files.read(w.gz.actor, a))).toBe('NOT_FOUND');
    expect(
      await code(() => svc().create(w.ecommerce.actor, { ...content(), evidence: Array.from({ length: 11 }, () => ({ fileId: a, kind: 'other' })) })),
    ).toBe('VALIDATION');
  });

  it('refusals: departments do not file; drafts only are deleted; closed or mismatched periods; unknown counties', async () => {
    expect(await code(() => svc().create(w.gz.actor, content()))).toBe('MONITORING_ROLE_REQUIRED');
    expect(await code(() => svc().create(w.store.actor, content({ filingType: 'backfill' })))).toBe('MONITORING_PERIOD_CLOSED');
    expect(await code(() => svc().create(w.store.actor, content({ originCountyCode: '110101' })))).toBe('VALIDATION');
    const d = await svc().create(w.store.actor, content({ filingType: 'backfill', periodId: periods.backfill }));
    expect(d.filingTypeLabel).toBe('上半年购销信息补登');
    expect(await code(() => svc().remove(w.store.actor, d.id, { seq: 0 }))).toBe('MONITORING_RECORD_CHANGED');
    await svc().remove(w.store.actor, d.id, { seq: 1 });
    expect(await code(() => svc().detail(w.store.actor, d.id))).toBe('NOT_FOUND');
    const f = await upload(w.store.actor);
    const s = await svc().create(w.store.actor, { ...content(), evidence: [{ fileId: f, kind: 'invoice' }] });
    await svc().submit(w.store.actor, s.id, { seq: 1 });
    expect(await code(() => svc().remove(w.store.actor, s.id, { seq: 2 }))).toBe('MONITORING_RECORD_LOCKED');
  });

  it('two reviewers deciding the same record at once: one wins, the other hears 409', async () => {
    const f = await upload(w.market.actor);
    const rec = await svc().create(w.market.actor, { ...content(), evidence: [{ fileId: f, kind: 'invoice' }] });
    await svc().submit(w.market.actor, rec.id, { seq: 1 });
    const outcomes = await Promise.all([
      code(() => svc().decide(w.gz.actor, rec.id, { seq: 2, decision: 'approve' })),
      code(() => svc().decide(w.gzAuditor, rec.id, { seq: 2, decision: 'return', comment: '重复' })),
    ]);
    expect(outcomes.sort()).toEqual(['MONITORING_RECORD_CHANGED', 'ok']);
    const ev = await events(rec.id);
    expect(ev.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('a list row names its organisations, period and origin and counts its evidence as the detail does', async () => {
    const withParent = (await svc().list(w.market.actor, { tab: 'all', pageSize: '50' })).items.filter((i) => i.parentName !== null);
    const page = await svc().listPage(w.gz.actor, { tab: 'all', pageSize: '50' });
    const rows = [...withParent, ...page.items];
    expect(withParent.length).toBeGreaterThan(0);
    for (const row of rows) {
      const d = await svc().detail(w.gz.actor, row.id);
      const pick = (v: typeof row) => [
        v.reporterName,
        v.parentName,
        v.departmentName,
        v.periodName,
        v.originProvinceName,
        v.originCityName,
        v.originCountyName,
      ];
      expect(pick(row)).toEqual(pick(d));
      expect(row.evidenceCount).toBe(d.evidence.length);
    }
    expect(rows.some((r) => r.evidenceCount > 0)).toBe(true);
  });

  it('lists: tabs, filters, pending counts and the export', async () => {
    const pending = await svc().list(w.gz.actor, {});
    expect(pending.items.every((i) => i.status === 'submitted')).toBe(true);
    const all = await svc().list(w.gz.actor, { tab: 'all' });
    expect(all.items.some((i) => i.status === 'draft')).toBe(false);
    const reviewed = await svc().list(w.gz.actor, { tab: 'reviewed' });
    expect(reviewed.total + pending.total).toBe(all.total);
    expect([all.totalCapped, pending.totalCapped, reviewed.totalCapped]).toEqual([false, false, false]);
    const q = await svc().list(w.gz.actor, { tab: 'all', q: '砂糖', category: '水果', originCountyCode: '451225', pageSize: '5', page: '1' });
    expect(q.items.length).toBeGreaterThan(0);
    expect(q.pageSize).toBe(5);
    expect((await svc().list(w.gz.actor, { tab: 'all', q: '不存在的产品' })).total).toBe(0);
    const counts = await svc().pendingCounts(w.gz.actor);
    expect(counts.pending).toBe(pending.total);
    const mine = await svc().pendingCounts(w.ecommerce.actor);
    expect(mine.drafts).toBe(1);
    const file = await svc().exportXlsx(w.gz.actor, { tab: 'all' });
    expect(file.filename).toMatch(/^购销记录-\d{4}-\d{2}-\d{2}\.xlsx$/);
    expect(file.bytes.byteLength).toBeGreaterThan(1000);
    expect(await code(() => svc().list(w.gz.actor, { pageSize: '1000' }))).toBe('VALIDATION');
  });

  it('bulk approval: set-based, per-record answers, 5,000 records timed', async () => {
    const m = await actingMonitor(p.db, w.szMarket.actor);
    const refsNow = makeRecordRefs(
      [{ id: periods.regular, filingType: 'regular', name: 'x', open: true }],
      [
        {
          code: '451225',
          provinceCode: '450000',
          provinceName: '广西壮族自治区',
          cityCode: '451200',
          cityName: '河池市',
          name: '罗城仫佬族自治县',
          active: true,
        },
      ],
    );
    const c = checkRecordContent(content(), refsNow);
    if (!c.ok) throw new Error('content');
    const N = 5000;
    const ids = await p.db.transaction((tx) =>
      svc().insertDrafts(
        tx,
        m,
        Array.from({ length: N }, () => c.content),
      ),
    );
    expect(ids).toHaveLength(N);
    // Set up: filed and submitted as the reporter would have (one statement, one event each).
    await p.db.execute(sql`update monitoring_records set status = 'submitted', seq = 2 where reporter_id = ${w.szMarket.orgId}`);
    await p.db.execute(sql`insert into monitoring_record_events (record_id, seq, action, from_status, to_status, level, actor_user_id, actor_organisation_id)
      select id, 2, 'submit', 'draft', 'submitted', 'reporter', ${w.szMarket.actor.userId}, ${w.szMarket.orgId} from monitoring_records where reporter_id = ${w.szMarket.orgId}`);
    // A few refused: one the city of Guangzhou owns, one unknown, one still a draft of another reporter.
    const foreign = (await svc().list(w.gz.actor, { tab: 'all', pageSize: '1' })).items[0]!.id;
    const unknown = '00000000-0000-4000-8000-000000000000';
    const started = performance.now();
    const res = await svc().bulkApprove(w.sz.actor, { ids });
    const ms = performance.now() - started;
    console.log(`bulk approval of ${N} records: ${Math.round(ms)} ms (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`);
    expect(res.approved).toBe(N);
    expect(res.refused).toBe(0);
    const mixed = await svc().bulkApprove(w.sz.actor, { ids: [ids[0]!, foreign, unknown] });
    expect(mixed.results).toMatchObject([
      { id: ids[0], ok: false, code: 'INVALID_TRANSITION' },
      { id: foreign, ok: false, code: 'NOT_FOUND' },
      { id: unknown, ok: false, code: 'NOT_FOUND' },
    ]);
    expect(await code(() => svc().bulkApprove(w.sz.actor, { ids: [...ids, unknown] }))).toBe('VALIDATION');
    const [{ n }] = (await p.db
      .select({ n: sql<number>`count(*)::int` })
      .from(monitoringRecordEvents)
      .innerJoin(monitoringRecords, eq(monitoringRecords.id, monitoringRecordEvents.recordId))
      .where(and(eq(monitoringRecords.reporterId, w.szMarket.orgId), eq(monitoringRecordEvents.seq, 3), eq(monitoringRecordEvents.action, 'approve')))) as [
      { n: number },
    ];
    expect(n).toBe(N);
    // Again: every one already decided.
    const twice = await svc().bulkApprove(w.sz.actor, { ids: ids.slice(0, 3) });
    expect(twice.approved).toBe(0);
    expect(twice.results[0]).toMatchObject({ ok: false, code: 'INVALID_TRANSITION' });
    // One message for the reporter, not 5,000.
    const msgs = await p.db.select().from(siteMessages).where(eq(siteMessages.userId, w.szMarket.actor.userId));
    expect(msgs).toHaveLength(1);
    if (process.env.DATABASE_URL) expect(ms).toBeLessThan(5000);

    // The list's count stops at the cap: more rows than it say so (totalCapped), fewer are exact.
    const mine = eq(monitoringRecords.reporterId, w.szMarket.orgId);
    expect(await recordsRepo.page(p.db, mine, 20, 0, 100)).toMatchObject({ total: 100, capped: true });
    expect(await recordsRepo.page(p.db, mine, 20, 0, N)).toMatchObject({ total: N, capped: false });
    expect(await recordsRepo.page(p.db, mine, 20, N - 10, 100)).toMatchObject({ total: N, capped: false });
    const listed = await svc().list(w.sz.actor, { tab: 'all', pageSize: '100' });
    expect(listed).toMatchObject({ total: N, totalCapped: false });
    expect(listed.items).toHaveLength(100);
  }, 120_000);
});
