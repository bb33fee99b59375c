import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { monitoringRecordEvents } from '../../db/schema';
import { createTestPlatform } from '../testing/test-platform';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import type { Level } from './monitoring.schema';
import { addWorld, pdfBytes, refs } from './records.fixtures';
import { decideRecord, type RecordAction } from './review.machine';

let p: Platform;
let w: Awaited<ReturnType<typeof addWorld>>;
let periods: { regular: string; backfill: string };
const svc = () => p.services.monitoringRecords;
const content = (n: number) => ({
  filingType: 'regular',
  periodId: periods.regular,
  directFromOrigin: true,
  originCountyCode: '451225',
  category: '水果',
  productName: `砂糖橘${n}`,
  unit: '公斤',
  quantity: String(100 + n),
  amountYuan: String(1000 + n),
});

beforeAll(async () => {
  p = await createTestPlatform();
  w = await addWorld(p.db);
  periods = await refs(p.db);
}, 60_000);
afterAll(async () => {
  await p?.close();
});

describe('16 clients deciding and editing a handful of records at once', () => {
  it('every change is a legal transition, stale ones answer 409, one event per change with contiguous seq', async () => {
    const records: { id: string; reporter: Actor; fileId: string }[] = [];
    for (const [i, a] of [w.wholesaler.actor, w.wholesaler.actor, w.wholesaler.actor, w.wholesaler.actor, w.market.actor, w.market.actor].entries()) {
      const f = (await p.services.files.upload(a, { filename: '运单.pdf', contentType: 'application/pdf', bytes: pdfBytes() })).id;
      const r = await svc().create(a, { ...content(i), evidence: [{ fileId: f, kind: 'waybill' }] });
      records.push({ id: r.id, reporter: a, fileId: f });
    }
    const clients: Actor[] = Array.from({ length: 16 }, (_, i) => [w.wholesaler.actor, w.market.actor, w.gz.actor, w.gzAuditor][i % 4]!);
    const deadline = Date.now() + 4000;
    let ok = 0;
    let stale = 0;
    const unexpected: string[] = [];
    const allowed = new Set(['MONITORING_RECORD_CHANGED', 'INVALID_TRANSITION', 'MONITORING_RECORD_LOCKED', 'MONITORING_ROLE_REQUIRED', 'NOT_FOUND']);
    await Promise.all(
      clients.map(async (a, ci) => {
        let n = 0;
        while (Date.now() < deadline) {
          n++;
          const rec = records[(ci * 7 + n * 3) % records.length]!;
          let seq = 0;
          try {
            seq = (await svc().detail(a, rec.id)).seq;
          } catch {
            seq = Math.floor(Math.random() * 10);
          }
          const pick = Math.random();
          try {
            if (a === rec.reporter && pick < 0.5) await svc().update(a, rec.id, { ...content(n), seq, evidence: [{ fileId: rec.fileId, kind: 'invoice' }] });
            else if (a === rec.reporter) await svc().submit(a, rec.id, { seq });
            else if (pick < 0.6) await svc().decide(a, rec.id, { seq, decision: 'approve' });
            else await svc().decide(a, rec.id, { seq, decision: 'return', comment: `第${n}次退回` });
            ok++;
          } catch (e) {
            const c = (e as { code?: string }).code ?? String(e);
            if (c === 'MONITORING_RECORD_CHANGED') stale++;
            if (!allowed.has(c)) unexpected.push(c);
          }
        }
      }),
    );
    expect(unexpected).toEqual([]);
    console.log(`concurrency: ${ok} changes, ${stale} stale answers (409) in 4 s`);
    expect(ok).toBeGreaterThan(0);
    let total = 0;
    for (const rec of records) {
      const detail = await svc().detail(rec.reporter, rec.id);
      const ev = await p.db.select().from(monitoringRecordEvents).where(eq(monitoringRecordEvents.recordId, rec.id)).orderBy(asc(monitoringRecordEvents.seq));
      expect(ev.map((e) => e.seq)).toEqual(Array.from({ length: detail.seq }, (_, i) => i + 1));
      expect(ev[0]!.action).toBe('create');
      let status = ev[0]!.toStatus;
      for (const e of ev.slice(1)) {
        expect(e.fromStatus).toBe(status);
        const d = decideRecord(
          { status: e.fromStatus!, hasParent: rec.reporter === w.wholesaler.actor, evidenceCount: 1 },
          e.action as RecordAction,
          e.level as Level,
          e.comment ?? 'x',
        );
        expect(d, `${e.action} by ${e.level} from ${e.fromStatus}`).toEqual({ ok: true, to: e.toStatus });
        status = e.toStatus;
      }
      expect(detail.status).toBe(status);
      total += ev.length - 1;
    }
    expect(total).toBe(ok);
  }, 60_000);
});
