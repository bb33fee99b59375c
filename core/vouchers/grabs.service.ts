import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Db } from '../../db/client';
import type { JobQueue } from '../jobs/jobs.service';
import { requireActor, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { createGroupWriter, type GroupOutcome } from '../shared/group-writer';
import { CSV_TYPE, toCsv, toXlsx, XLSX_TYPE, type ExportFile, type Sheet } from '../shared/export';
import type { Publisher } from '../shared/publisher';
import type { RateLimiter, RateRule } from '../shared/rate-limit';
import { regionName } from '../shared/regions';
import { shanghaiMinute } from '../shared/time';
import { parseInput } from '../shared/validate';
import type { Ledger } from '../wallet/ledger.service';
import { SoldOutFlags, type GateSnapshot, type GrabGate } from './grab-gate';
import { createMemoryGrabGate } from './grab-gate.memory';
import { createRedisGrabGate } from './grab-gate.redis';
import { ALREADY_CLAIMED, capReached, couponState, eligibility, issuanceOpen, SOLD_OUT, tierRefusal, tierRule, type GrabRefusal } from './grabs.machine';
import { grabsRepo, type GrantedVoucher, type GrantValues, type TierContext } from './grabs.repo';
import { GrabInput, type CampaignGrabView, type FairnessLog, type VoucherCountsPayload, type VoucherView } from './grabs.schema';
import { CAMPAIGN_ACCOUNT_KINDS, merchantCategoryName } from './vouchers.constants';

export interface GrabLimits {
  /** Grab attempts per user per window (0: no limit). */
  perUser: number;
  /** Grab attempts per client address per window (0: no limit; many residents may share one address). */
  perIp: number;
  windowSeconds: number;
}

/** Generous: a person clicking fast never meets them; a script hammering does. */
export const DEFAULT_GRAB_LIMITS: GrabLimits = { perUser: 20, perIp: 600, windowSeconds: 10 };

export interface GrabDeps {
  db: Db;
  clock: Clock;
  rateLimiter: RateLimiter;
  ledger: Pick<Ledger, 'ensureSubjectAccounts' | 'transfer'>;
  /** The resident's individual profile (region), for campaigns limited to regions; NOT_FOUND when none. */
  individuals?: { getIndividual(actor: Actor | null): Promise<{ regionCode: string }> };
  jobs?: Pick<JobQueue, 'schedule' | 'on'>;
  publisher?: Publisher;
  /** Redis when configured: the gate every node shares; otherwise the gate runs in this process. */
  redis?: Redis;
  redisPrefix?: string;
  /** The campaigns service's lazy, idempotent start of an issuance (allocation pool → issued), when available. */
  ensureStarted?: (issuanceId: string) => Promise<unknown>;
  limits?: Partial<GrabLimits>;
  /** Tests inject a gate; default from `redis`. */
  gate?: GrabGate;
  /** How long a tier's facts are reused between grabs (ms). Pause and stop are also enforced by PostgreSQL. */
  tierCacheMs?: number;
  /** Live counts are pushed at most once per this many ms per campaign. */
  countsEveryMs?: number;
  log?: (line: string) => void;
}

export const EXPIRE_JOB = 'vouchers.expire';
export const campaignRoom = (campaignId: string) => `vouchers:campaign:${campaignId}`;
export const COUNTS_EVENT = 'vouchers:counts';

const STATUS_LABELS = { unused: '未使用', used: '已使用', expired: '已过期' } as const;
const isConstraintViolation = (e: unknown) => {
  const err = e as { code?: string; cause?: { code?: string } };
  return /^23/.test(err?.code ?? err?.cause?.code ?? '');
};
const isUniqueViolation = (e: unknown) => {
  const err = e as { code?: string; cause?: { code?: string } };
  return err?.code === '23505' || err?.cause?.code === '23505';
};
const refuse = (r: GrabRefusal) => new AppError(r.code, r.message);
/** The crowd's most common answer, made once (an error's stack costs more than the rest of the answer). */
const SOLD_OUT_ERROR = refuse(SOLD_OUT);
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Thrown inside the grant transaction to roll it back with a known reason. */
class GrantRefused extends Error {
  constructor(readonly reason: 'tier' | 'cap' | 'duplicate') {
    super(reason);
  }
}

/**
 * 抢券: the grab, the resident's coupons, their expiry and the fairness log.
 *
 * A grab: rate limits (per user, per address) → the tier's facts (memory, refreshed every `tierCacheMs`)
 * and the rules (grabs.machine) → "sold out" from memory → eligibility → the admission gate (Redis Lua or
 * in process) → ONE PostgreSQL transaction (tier granted + 1 where granted < count and not closed, insert
 * the coupon; the unique index is the record of one per user per tier) → success only after commit. When
 * PostgreSQL refuses, the gate gets its slot back. PostgreSQL is the record; the gate is rebuilt from it at
 * start (`reconcileAll`, the context's resume), when found empty, and when a tier the gate calls sold out
 * stops moving below its count (an admission lost in a crash between the gate and PostgreSQL).
 */
export function createGrabService(deps: GrabDeps) {
  const { db, clock, rateLimiter, ledger } = deps;
  const log = deps.log ?? (() => {});
  const limits = { ...DEFAULT_GRAB_LIMITS, ...deps.limits };
  const userRule: RateRule = { name: 'voucher_grab_user', points: limits.perUser, durationSeconds: limits.windowSeconds };
  const ipRule: RateRule = { name: 'voucher_grab_ip', points: limits.perIp, durationSeconds: limits.windowSeconds };
  const gate: GrabGate = deps.gate ?? (deps.redis ? createRedisGrabGate(deps.redis, deps.redisPrefix ?? '') : createMemoryGrabGate());
  const soldOut = new SoldOutFlags(1000);
  const tierCacheMs = deps.tierCacheMs ?? 500;
  const tierCache = new Map<string, { at: number; ctx: TierContext }>();
  const loading = new Map<string, Promise<void>>();
  const started = new Map<string, Promise<unknown>>();
  const expiryScheduled = new Set<string>();
  const confirming = new Set<string>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let closed = false;
  let ensureStarted = deps.ensureStarted;

  type Granted = { voucher: GrantedVoucher; granted: number; count: number };
  /**
   * The usual grant: one statement per issuance per batch (group commit). The grants admitted while the
   * issuance's previous statement commits go together in the next one, in arrival order; each request is
   * answered after its own row commits. A grant the statement did not let in because a duplicate freed a
   * coupon goes again in the next batch. Should the statement fail as a whole, each grant is tried alone,
   * so one bad row fails only its own request.
   */
  async function writeGrants(issuanceId: string, items: GrantValues[]): Promise<GroupOutcome<Granted>[]> {
    let out: Awaited<ReturnType<typeof grabsRepo.grantMany>>;
    try {
      out = await grabsRepo.grantMany(db, items);
    } catch (e) {
      // A row the constraints refused (class 23: a foreign key, a check) fails only its own request; any
      // other failure (connection, timeout) fails the batch without trying each row.
      if (items.length === 1 || !isConstraintViolation(e)) return items.map(() => ({ error: e }));
      const each: GroupOutcome<Granted>[] = [];
      for (const item of items) each.push(...(await writeGrants(issuanceId, [item])));
      return each;
    }
    const tierOf = (id: string) => out.tiers.get(id.toLowerCase()) ?? { room: null, granted: 0, count: 0 };
    // A tier this batch sold out: flagged for good, and the issuance finished (已抢光) once, here.
    const soldOutNow = [...out.tiers].filter(([, t]) => t.granted >= t.count).map(([id]) => id);
    if (soldOutNow.length) {
      for (const id of soldOutNow) soldOut.confirmed(id);
      if (await grabsRepo.finishIfSoldOut(db, issuanceId).catch(() => false)) tierCache.clear();
    }
    return out.answers.map((a, i): GroupOutcome<Granted> => {
      const item = items[i]!;
      const tier = tierOf(item.tierId);
      if (a === 'duplicate') return { error: new GrantRefused('duplicate') };
      if (a === 'no_room') return tier.room !== null && tier.granted < tier.count ? 'retry' : { error: new GrantRefused('tier') };
      const voucher: GrantedVoucher = { ...item, ...a.voucher, usedAt: null, expiredAt: null };
      return { ok: { voucher, granted: tier.granted, count: tier.count } };
    });
  }
  const grants = createGroupWriter(writeGrants);

  const later = (ms: number, fn: () => void) => {
    if (closed) return;
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) fn();
    }, ms);
    t.unref?.();
    timers.add(t);
  };

  async function tierContext(tierId: string, fresh = false): Promise<TierContext> {
    const hit = tierCache.get(tierId);
    if (!fresh && hit && Date.now() - hit.at < tierCacheMs) return hit.ctx;
    const ctx = await grabsRepo.tierContext(db, tierId);
    if (!ctx) throw new AppError('NOT_FOUND', '该券不存在');
    tierCache.set(tierId, { at: Date.now(), ctx });
    if (ctx.granted >= ctx.count) soldOut.confirmed(tierId);
    return ctx;
  }

  /** Rebuilds the gate's state of one issuance from PostgreSQL (stock = count − granted, holders from the coupons). */
  async function loadIssuance(issuanceId: string): Promise<void> {
    const running = loading.get(issuanceId);
    if (running) return running;
    const p = (async () => {
      const { tiers, holders } = await grabsRepo.gateSnapshot(db, issuanceId);
      const byTier = new Map<string, string[]>(tiers.map((t) => [t.id, []]));
      const counts = new Map<string, number>();
      for (const h of holders) {
        byTier.get(h.tierId)?.push(h.userId);
        counts.set(h.userId, (counts.get(h.userId) ?? 0) + 1);
      }
      const snapshot: GateSnapshot = {
        issuanceId,
        tiers: tiers.map((t) => ({ tierId: t.id, stock: t.count - t.granted, userIds: byTier.get(t.id) ?? [] })),
        userCounts: [...counts],
      };
      await gate.load(snapshot);
      for (const t of tiers) {
        if (t.granted >= t.count) soldOut.confirmed(t.id);
        else soldOut.clear(t.id);
      }
    })().finally(() => loading.delete(issuanceId));
    loading.set(issuanceId, p);
    return p;
  }

  /**
   * The gate found the tier empty. Confirm with PostgreSQL a moment later: granted = count → sold out for
   * good; still below and not moving (no grant committed meanwhile) → an admission was lost between the
   * gate and PostgreSQL (a crash): rebuild the gate from the record, so no coupon stays unissued.
   */
  function confirmSoldOut(issuanceId: string, tierId: string, delayMs = 1500, previous?: number) {
    if (confirming.has(tierId) && previous === undefined) return;
    confirming.add(tierId);
    later(delayMs, () => {
      void (async () => {
        const s = await grabsRepo.tierState(db, tierId);
        if (!s || s.granted >= s.count) {
          soldOut.confirmed(tierId);
          confirming.delete(tierId);
        } else if (previous !== undefined && s.granted === previous) {
          await loadIssuance(issuanceId);
          confirming.delete(tierId);
        } else confirmSoldOut(issuanceId, tierId, delayMs, s.granted);
      })().catch((e) => {
        confirming.delete(tierId);
        log(`[vouchers] sold-out check of ${tierId}: ${(e as Error).message}`);
      });
    });
  }

  // ── live counts, throttled per campaign ──────────────────────────────────────────────────────────
  const countsDue = new Set<string>();
  const countsEveryMs = deps.countsEveryMs ?? 250;
  function countsChanged(campaignId: string) {
    if (!deps.publisher || countsDue.has(campaignId)) return;
    countsDue.add(campaignId);
    later(countsEveryMs, () => {
      countsDue.delete(campaignId);
      void publishCounts(campaignId).catch((e) => log(`[vouchers] counts of ${campaignId}: ${(e as Error).message}`));
    });
  }
  /** Granted / remaining per tier of a campaign (public figures). */
  async function countsOf(campaignId: string): Promise<VoucherCountsPayload> {
    const rows = /^[0-9a-f-]{36}$/i.test(campaignId) ? await grabsRepo.campaignTiers(db, campaignId) : [];
    if (!rows.length || rows[0]!.campaignStatus === 'draft' || rows[0]!.campaignStatus === 'cancelled') throw new AppError('NOT_FOUND', '活动不存在');
    return {
      campaignId,
      tiers: rows.map((t) => ({ tierId: t.tierId, issuanceId: t.issuanceId, granted: t.granted, remaining: t.count - t.granted })),
      at: clock.now().toISOString(),
    };
  }
  async function publishCounts(campaignId: string) {
    await deps.publisher?.publish(campaignRoom(campaignId), COUNTS_EVENT, await countsOf(campaignId));
  }

  // ── expiry ───────────────────────────────────────────────────────────────────────────────────────
  /**
   * unused → expired for the campaign's coupons past validity, and in the same transaction their value
   * voucher_issued → voucher_pool (voucher_expire). Idempotent: a second run finds nothing unused.
   */
  async function expireCampaign(campaignId: string): Promise<{ expired: number; amountFen: number }> {
    const now = clock.now();
    return db.transaction(async (tx) => {
      const campaign = await grabsRepo.findCampaign(tx, campaignId);
      if (!campaign) return { expired: 0, amountFen: 0 };
      const rows = await grabsRepo.expireUnused(tx, campaignId, now);
      const amountFen = rows.reduce((s, r) => s + r.discountFen, 0);
      if (amountFen > 0) {
        const acc = await ledger.ensureSubjectAccounts(tx, campaign.bureauId, campaignId, CAMPAIGN_ACCOUNT_KINDS);
        const first = rows.map((r) => r.id).sort()[0]!;
        await ledger.transfer(tx, {
          debitAccountId: acc.voucher_issued,
          creditAccountId: acc.voucher_pool,
          amountFen,
          kind: 'voucher_expire',
          reference: campaign.name,
          idempotencyKey: `voucher-expire:${campaignId}:${first}`,
          metadata: { campaignId, coupons: rows.length },
        });
      }
      return { expired: rows.length, amountFen };
    });
  }

  deps.jobs?.on(EXPIRE_JOB, async (job) => {
    await expireCampaign(job.key);
  });

  function view(
    r: Awaited<ReturnType<typeof grabsRepo.mine>>[number],
    categories: Map<string, { name: string; merchantCategories: string[] }>,
    now: Date,
  ): VoucherView {
    const status = couponState(r, now);
    const cat = categories.get(`${r.campaignId}:${r.categoryCode}`);
    return {
      id: r.id,
      campaignId: r.campaignId,
      campaignName: r.campaignName,
      issuanceId: r.issuanceId,
      tierId: r.tierId,
      categoryCode: r.categoryCode,
      categoryName: cat?.name ?? r.categoryCode,
      tierNo: r.tierNo,
      thresholdFen: r.thresholdFen,
      discountFen: r.discountFen,
      rule: tierRule(r),
      status,
      statusLabel: STATUS_LABELS[status],
      grantedAt: r.grantedAt.toISOString(),
      validUntil: r.validUntil.toISOString(),
      usedAt: r.usedAt?.toISOString() ?? null,
      expiredAt: r.expiredAt?.toISOString() ?? (status === 'expired' ? r.validUntil.toISOString() : null),
      merchantCategories: (cat?.merchantCategories ?? []).map(merchantCategoryName),
      merchantsUrl: `/vouchers/${r.campaignId}/merchants`,
    };
  }

  async function categoriesOf(campaignIds: string[]) {
    const rows = await grabsRepo.listCategories(db, [...new Set(campaignIds)]);
    return new Map(rows.map((c) => [`${c.campaignId}:${c.code}`, { name: c.name, merchantCategories: c.merchantCategories }]));
  }
  /** A campaign's categories never change once it has coupons: remembered for the grab's answer. */
  const categoryCache = new Map<string, Promise<Awaited<ReturnType<typeof categoriesOf>>>>();
  const categoriesOfCampaign = (campaignId: string) => {
    let c = categoryCache.get(campaignId);
    if (!c) {
      c = categoriesOf([campaignId]);
      c.catch(() => categoryCache.delete(campaignId));
      categoryCache.set(campaignId, c);
    }
    return c;
  };

  const regionLabel = (code: string) => regionName(code).split(' ').pop() || code;
  const eligibilityNote = (codes: string[] | null) => (codes?.length ? `仅限${codes.map(regionLabel).join('、')}居民` : null);
  const issuanceOver = (status: string, tiers: { count: number; granted: number }[]) =>
    status === 'stopped' || status === 'finished' || (tiers.length > 0 && tiers.every((t) => t.granted >= t.count));

  const service = {
    gateKind: gate.kind,
    /** The admission gate itself (tests simulate a crash between it and PostgreSQL). */
    gate,

    /** The server's clock for the countdown: no session, no database, no Redis. */
    clock: () => ({ now: clock.now().toISOString() }),

    /**
     * 抢券. Errors: UNAUTHENTICATED, VALIDATION, RATE_LIMITED, NOT_FOUND, VOUCHER_CAMPAIGN_CLOSED,
     * VOUCHER_NOT_STARTED, VOUCHER_ISSUANCE_PAUSED, VOUCHER_ISSUANCE_CLOSED, VOUCHER_SOLD_OUT,
     * VOUCHER_NOT_ELIGIBLE, VOUCHER_ALREADY_CLAIMED, VOUCHER_CAP_REACHED.
     */
    /**
     * A grab's answer that does not depend on who asks, from memory only: sold out, or null (decide
     * normally). Sold out is public (the grab page shows every tier's remaining count), so the edge may
     * answer it before reading the caller's session: under a crowd most answers are this one.
     */
    answerFromMemory(raw: unknown): AppError | null {
      const tierId = raw && typeof raw === 'object' ? (raw as { tierId?: unknown }).tierId : undefined;
      return typeof tierId === 'string' && soldOut.isSoldOut(tierId) ? SOLD_OUT_ERROR : null;
    },

    async grab(actor: Actor | null, raw: unknown, ctx: { ip: string } = { ip: 'local' }): Promise<VoucherView> {
      const a = requireActor(actor);
      const { tierId } = parseInput(GrabInput, raw);
      // Answers from memory first (not started, paused, sold out): no Redis, no database.
      const t = await tierContext(tierId);
      const now = clock.now();
      const facts = {
        now,
        campaign: { status: t.campaignStatus, validUntil: t.validUntil },
        issuance: { status: t.issuanceStatus, startsAt: t.startsAt },
        tier: { count: t.count, granted: t.granted, closed: t.closed },
      };
      const refusal = tierRefusal(facts);
      if (refusal) throw refuse(refusal);
      if (soldOut.isSoldOut(tierId)) throw SOLD_OUT_ERROR;
      await rateLimiter.consumeAll([
        ...(limits.perUser > 0 ? [{ rule: userRule, key: a.userId, message: '点击太频繁，请稍后再试' }] : []),
        ...(limits.perIp > 0 ? [{ rule: ipRule, key: ctx.ip, message: '当前网络请求太频繁，请稍后再试' }] : []),
      ]);

      if (t.regionCodes?.length) {
        const profile = deps.individuals
          ? await deps.individuals.getIndividual(a).catch((e) => {
              if (e instanceof AppError && e.code === 'NOT_FOUND') return null;
              throw e;
            })
          : null;
        const el = eligibility(t.regionCodes, profile, regionLabel);
        if (!el.ok) throw new AppError('VOUCHER_NOT_ELIGIBLE', `不符合条件：${el.reason}`);
      }

      if (t.issuanceStatus === 'scheduled' && ensureStarted) {
        let s = started.get(t.issuanceId);
        if (!s) {
          s = ensureStarted(t.issuanceId).catch((e) => {
            started.delete(t.issuanceId);
            throw e;
          });
          started.set(t.issuanceId, s);
        }
        await s;
      }

      let answer = await gate.admit(t.issuanceId, tierId, a.userId, t.perIssuanceCap);
      if (answer === 'not_loaded') {
        await loadIssuance(t.issuanceId);
        answer = await gate.admit(t.issuanceId, tierId, a.userId, t.perIssuanceCap);
      }
      if (answer === 'already') throw refuse(ALREADY_CLAIMED);
      if (answer === 'cap') throw refuse(capReached(t.perIssuanceCap ?? 0));
      if (answer === 'sold_out' || answer === 'not_loaded') {
        soldOut.provisional(tierId);
        confirmSoldOut(t.issuanceId, tierId);
        throw refuse(SOLD_OUT);
      }

      // Admitted: the record decides, in one statement (or one transaction).
      let result: { voucher: Awaited<ReturnType<typeof grabsRepo.insertVoucher>>; granted: number; count: number };
      const values = {
        campaignId: t.campaignId,
        issuanceId: t.issuanceId,
        tierId,
        userId: a.userId,
        categoryCode: t.categoryCode,
        thresholdFen: t.thresholdFen,
        discountFen: t.discountFen,
        validUntil: t.validUntil,
        grantedAt: now,
      };
      // The usual grant is one statement; a per-user cap, or the campaign's first grant on this node (its
      // expiry job is scheduled with it), takes a transaction.
      const simple = t.perIssuanceCap === null && !(deps.jobs && !expiryScheduled.has(t.campaignId));
      const grantAlone = () => grants.submit(t.issuanceId, values);
      const grantInTransaction = () =>
        db.transaction(async (tx) => {
          if (t.perIssuanceCap !== null) {
            await grabsRepo.lockUserInIssuance(tx, t.issuanceId, a.userId);
            if ((await grabsRepo.countUserInIssuance(tx, t.issuanceId, a.userId)) >= t.perIssuanceCap) throw new GrantRefused('cap');
          }
          const taken = await grabsRepo.takeFromTier(tx, tierId);
          if (!taken) throw new GrantRefused('tier');
          const voucher = await grabsRepo.insertVoucher(tx, values);
          if (deps.jobs && !expiryScheduled.has(t.campaignId)) {
            await deps.jobs.schedule(tx, { kind: EXPIRE_JOB, key: t.campaignId, runAt: t.validUntil });
          }
          return { voucher, granted: taken.granted, count: taken.count };
        });
      try {
        result = simple ? await grantAlone() : await grantInTransaction();
      } catch (e) {
        if (isUniqueViolation(e) || (e instanceof GrantRefused && e.reason === 'duplicate')) {
          await gate.release(t.issuanceId, tierId, a.userId, { stock: true, user: false }).catch(() => {});
          throw refuse(ALREADY_CLAIMED);
        }
        if (e instanceof GrantRefused && e.reason === 'cap') {
          await gate.release(t.issuanceId, tierId, a.userId, { stock: true, user: true }).catch(() => {});
          throw refuse(capReached(t.perIssuanceCap ?? 0));
        }
        if (e instanceof GrantRefused) {
          const s = await grabsRepo.tierState(db, tierId);
          if (s && s.granted >= s.count) {
            // The gate was ahead of the record (rebuilt while grants were in flight): sold out for good.
            await gate.release(t.issuanceId, tierId, a.userId, { stock: false, user: true }).catch(() => {});
            soldOut.confirmed(tierId);
            throw refuse(SOLD_OUT);
          }
          await gate.release(t.issuanceId, tierId, a.userId, { stock: true, user: true }).catch(() => {});
          tierCache.delete(tierId);
          const fresh = await tierContext(tierId, true);
          const r = tierRefusal({ ...facts, issuance: { status: fresh.issuanceStatus, startsAt: fresh.startsAt }, tier: fresh });
          throw refuse(r ?? { code: 'VOUCHER_ISSUANCE_PAUSED', message: '本批次已暂停发放，请稍后再试' });
        }
        await gate.release(t.issuanceId, tierId, a.userId, { stock: true, user: true }).catch(() => {});
        throw e;
      }
      expiryScheduled.add(t.campaignId);
      if (!simple && result.granted >= result.count) {
        // (A batched grant's sell-out was handled once for its batch, in writeGrants.)
        soldOut.confirmed(tierId);
        // The last coupon of a tier: when it was the issuance's last one too, the issuance is finished (已抢光).
        if (await grabsRepo.finishIfSoldOut(db, t.issuanceId).catch(() => false)) tierCache.clear();
      }
      countsChanged(t.campaignId);
      const cats = await categoriesOfCampaign(t.campaignId);
      return view({ ...result.voucher, campaignName: t.campaignName, tierNo: t.tierNo }, cats, now);
    },

    /** 我的票券: the caller's coupons, unused first, with rules, validity and where to use them. */
    async mine(actor: Actor | null) {
      const a = requireActor(actor);
      const now = clock.now();
      const rows = await grabsRepo.mine(db, a.userId);
      const cats = await categoriesOf(rows.map((r) => r.campaignId));
      const items = rows.map((r) => view(r, cats, now));
      const order = { unused: 0, used: 1, expired: 2 } as const;
      items.sort((x, y) => order[x.status] - order[y.status]);
      const counts = { unused: 0, used: 0, expired: 0 };
      for (const i of items) counts[i.status]++;
      return { items, counts };
    },

    /** Running campaigns (funded, still valid) with their next issuance: the residents' list. Public. */
    async activeCampaigns() {
      const now = clock.now();
      const campaigns = await grabsRepo.activeCampaigns(db, now);
      const items = [];
      for (const c of campaigns) {
        const tiers = await grabsRepo.campaignTiers(db, c.id);
        const byIssuance = new Map<string, TierContext[]>();
        for (const t of tiers) byIssuance.set(t.issuanceId, [...(byIssuance.get(t.issuanceId) ?? []), t]);
        let next = null;
        for (const [id, ts] of byIssuance) {
          const first = ts[0]!;
          if (issuanceOver(first.issuanceStatus, ts)) continue;
          const issuances = await grabsRepo.listIssuances(db, c.id);
          const seq = issuances.find((i) => i.id === id)?.seq ?? 0;
          next = {
            id,
            seq,
            startsAt: first.startsAt.toISOString(),
            stateLabel: stateLabel(first.issuanceStatus, first.startsAt, ts, now),
            remaining: ts.reduce((s, t) => s + t.count - t.granted, 0),
            count: ts.reduce((s, t) => s + t.count, 0),
          };
          break;
        }
        items.push({
          id: c.id,
          name: c.name,
          documentNo: c.documentNo,
          validUntil: c.validUntil.toISOString(),
          eligibilityNote: eligibilityNote(c.regionCodes),
          next,
        });
      }
      return { items, serverNow: now.toISOString() };
    },

    /** The grab page's data: schedule, tiers with remaining counts, the server time; the caller's claimed tiers. Public. */
    async grabPage(campaignId: string, actor: Actor | null): Promise<CampaignGrabView> {
      const now = clock.now();
      const campaign = /^[0-9a-f-]{36}$/i.test(campaignId) ? await grabsRepo.findCampaign(db, campaignId) : undefined;
      if (!campaign || campaign.status === 'draft' || campaign.status === 'cancelled') throw new AppError('NOT_FOUND', '活动不存在');
      const [issuances, tiers, cats, claimed] = await Promise.all([
        grabsRepo.listIssuances(db, campaignId),
        grabsRepo.campaignTiers(db, campaignId),
        grabsRepo.listCategories(db, [campaignId]),
        actor ? grabsRepo.userTierIds(db, actor.userId, campaignId) : Promise.resolve([] as string[]),
      ]);
      const catName = new Map(cats.map((c) => [c.code, c.name]));
      const catSort = new Map(cats.map((c, k) => [c.code, k]));
      const mineSet = new Set(claimed);
      return {
        id: campaign.id,
        name: campaign.name,
        documentNo: campaign.documentNo,
        validUntil: campaign.validUntil.toISOString(),
        regionCodes: campaign.regionCodes,
        eligibilityNote: eligibilityNote(campaign.regionCodes),
        perIssuanceCap: campaign.perIssuanceCap,
        categories: cats.map((c) => ({ code: c.code, name: c.name, merchantCategories: c.merchantCategories.map(merchantCategoryName) })),
        issuances: issuances.map((i) => {
          const ts = tiers
            .filter((t) => t.issuanceId === i.id)
            .sort((x, y) => (catSort.get(x.categoryCode) ?? 99) - (catSort.get(y.categoryCode) ?? 99) || x.tierNo - y.tierNo);
          return {
            id: i.id,
            seq: i.seq,
            startsAt: i.startsAt.toISOString(),
            status: i.status,
            stateLabel: stateLabel(i.status, i.startsAt, ts, now),
            open: issuanceOpen(i, now) && !ts.every((t) => t.granted >= t.count),
            logAvailable: issuanceOver(i.status, ts),
            tiers: ts.map((t) => ({
              tierId: t.tierId,
              categoryCode: t.categoryCode,
              categoryName: catName.get(t.categoryCode) ?? t.categoryCode,
              tierNo: t.tierNo,
              thresholdFen: t.thresholdFen,
              discountFen: t.discountFen,
              rule: tierRule(t),
              count: t.count,
              granted: t.granted,
              remaining: t.count - t.granted,
              claimed: mineSet.has(t.tierId),
            })),
          };
        }),
        serverNow: now.toISOString(),
      };
    },

    /**
     * 公平性日志: every grant of the issuance in order, its time and sha256(log salt + user id). Public once
     * the issuance is over (sold out, stopped or finished); NOT_FOUND before (VOUCHER_NOT_STARTED says so).
     */
    async fairnessLog(issuanceId: string): Promise<FairnessLog> {
      const issuance = /^[0-9a-f-]{36}$/i.test(issuanceId) ? await grabsRepo.findIssuance(db, issuanceId) : undefined;
      if (!issuance) throw new AppError('NOT_FOUND', '发券批次不存在');
      const campaign = await grabsRepo.findCampaign(db, issuance.campaignId);
      if (!campaign || campaign.status === 'draft' || campaign.status === 'cancelled') throw new AppError('NOT_FOUND', '发券批次不存在');
      const tiers = (await grabsRepo.campaignTiers(db, issuance.campaignId)).filter((t) => t.issuanceId === issuanceId);
      if (!issuanceOver(issuance.status, tiers)) throw new AppError('VOUCHER_NOT_STARTED', '本批次发放结束后才公布领取记录');
      const cats = new Map((await grabsRepo.listCategories(db, [issuance.campaignId])).map((c) => [c.code, c.name]));
      const rows = await grabsRepo.grantsOf(db, issuanceId);
      return {
        issuanceId,
        campaignName: campaign.name,
        seq: issuance.seq,
        status: issuance.status,
        salt: issuance.logSalt,
        total: rows.length,
        entries: rows.map((r, i) => ({
          order: i + 1,
          grantedAt: r.grantedAt.toISOString(),
          userHash: sha256(issuance.logSalt + r.userId),
          category: cats.get(r.categoryCode) ?? r.categoryCode,
          tierNo: r.tierNo,
          rule: tierRule(r),
        })),
      };
    },

    /** The fairness log as a file (csv or xlsx). */
    async fairnessLogFile(issuanceId: string, format: 'csv' | 'xlsx'): Promise<ExportFile> {
      const l = await service.fairnessLog(issuanceId);
      const sheet: Sheet = {
        name: '领取记录',
        columns: ['序号', '领取时间', '用户标识（sha256(盐+用户ID)）', '券类别', '档次', '规则'],
        rows: l.entries.map((e) => [e.order, shanghaiMinute(e.grantedAt) + e.grantedAt.slice(16, 23), e.userHash, e.category, e.tierNo, e.rule]),
        textColumns: [2],
      };
      const filename = `${l.campaignName}-第${l.seq}次发券-领取记录.${format}`;
      if (format === 'csv')
        return { filename, contentType: CSV_TYPE, bytes: new TextEncoder().encode(`# salt: ${l.salt}\n` + toCsv(sheet)) as Uint8Array<ArrayBuffer> };
      return {
        filename,
        contentType: XLSX_TYPE,
        bytes: await toXlsx([sheet, { name: '说明', columns: ['盐', '总数'], rows: [[l.salt, l.total]], textColumns: 'all' }]),
      };
    },

    /**
     * The campaigns service's lazy start of an issuance (pool → issued), wired by the context once every
     * service exists: a grab at a scheduled issuance whose time has come starts it first (idempotent).
     */
    useStarter(fn: (issuanceId: string) => Promise<unknown>) {
      ensureStarted = fn;
    },

    /** Rebuilds the gate of one issuance from PostgreSQL (the record). */
    reconcile: (issuanceId: string) => loadIssuance(issuanceId),

    /**
     * At start (and when Redis is back): every issuance not over is rebuilt in the gate from PostgreSQL,
     * so an admission lost in a crash between the gate and PostgreSQL is back in stock; overdue expiries run
     * and each campaign with coupons has its expiry job.
     */
    async reconcileAll() {
      tierCache.clear();
      for (const { id } of await grabsRepo.liveIssuances(db)) await loadIssuance(id);
      const now = clock.now();
      for (const { campaignId } of await grabsRepo.campaignsToExpire(db, now)) await expireCampaign(campaignId);
      if (deps.jobs) {
        const jobs = deps.jobs;
        for (const c of await grabsRepo.campaignsWithCoupons(db, now)) {
          await db.transaction((tx) => jobs.schedule(tx, { kind: EXPIRE_JOB, key: c.id, runAt: c.validUntil }));
          expiryScheduled.add(c.id);
        }
      }
    },

    expireCampaign,
    publishCounts,
    countsOf,
    /** The gate's stock of a tier (tests, console). */
    gateStock: (issuanceId: string, tierId: string) => gate.stock(issuanceId, tierId),
    /** Forgets what this process remembers (tests simulating a restart). */
    forgetMemory() {
      tierCache.clear();
      for (const k of [...confirming]) confirming.delete(k);
      soldOut.clearAll();
      expiryScheduled.clear();
    },
    close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
  return service;
}

function stateLabel(status: string, startsAt: Date, tiers: { count: number; granted: number }[], now: Date) {
  if (status === 'stopped') return '已结束';
  if (status === 'finished' || (tiers.length && tiers.every((t) => t.granted >= t.count))) return '已抢光';
  if (status === 'paused') return '已暂停';
  if (status === 'scheduled' && startsAt.getTime() > now.getTime()) return '未开始';
  return '进行中';
}
