import { openDb, type DbHandle } from '../../db/client';
import { migrateDb } from '../../db/migrate';
import { createSandboxNotifier, type Notifier } from '../notifications/notifier';
import { systemClock, type Clock } from '../shared/clock';
import { ConfigError, type Config } from '../shared/config';
import { LocalPublisher } from '../shared/publisher';
import { createRateLimiter } from '../shared/rate-limit';
import { lineLog, logger, setLogLevel } from '../shared/logger';
import { createRedis, watchRedis } from '../shared/redis';
import { createSandboxGateway, type SandboxOptions } from '../wallet/sandbox-gateway';
import { FILE_PURPOSES, type FileAccessCheck, type FilePurpose } from '../files/files.service';
import type { Actor } from '../shared/actor';
import { CONTEXTS, type ContextServices } from '../contexts';
import { servicesFn, type AnyContext, type PlatformDeps } from './context';
import { LocalDeadlineTimer, RedisDeadlineTimer, type DeadlineTimer } from '../shared/deadline-timer';
import { createJobQueue } from '../jobs/jobs.service';
import { offlinePresence, type Presence } from '../shared/presence';

export interface PlatformOptions {
  clock?: Clock;
  /** Use an already open database (tests share one per worker). */
  dbHandle?: DbHandle;
  notifier?: Notifier;
  migrate?: boolean;
  /** Key prefix for rate-limit buckets (tests use a unique one per file). */
  rateLimitPrefix?: string;
  /** Deadline timer (tests share one Redis-backed timer key per file; default: Redis when configured). */
  timer?: DeadlineTimer;
  /** Key of the Redis sorted set holding deadlines (tests use a unique one). */
  timerKey?: string;
  /** Sandbox gateway overrides (tests deliver callbacks in-process, without delay). */
  sandbox?: Partial<Pick<SandboxOptions, 'post' | 'delayMs' | 'duplicates'>>;
}

/**
 * The composition root: opens the database (and Redis when configured), builds every service with
 * its dependencies. Pages, the API and socket handlers all use the same instance in one process.
 */
export async function createPlatform(config: Config, opts: PlatformOptions = {}) {
  // Bangfu ships only the sandbox gateways: a platform that may not use them cannot take payments at all.
  if (!config.sandboxGateways) {
    throw new ConfigError('Invalid configuration (环境变量配置错误):\n  SANDBOX_GATEWAYS: 未启用沙箱支付/代付网关，也没有配置真实网关，平台无法收付款');
  }
  const dbHandle = opts.dbHandle ?? (await openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR }));
  if (opts.migrate ?? true) await migrateDb(dbHandle);
  setLogLevel(config.LOG_LEVEL);
  const log = lineLog(logger);
  const redis = config.REDIS_URL ? createRedis(config.REDIS_URL, log) : undefined;
  const db = dbHandle.db;
  const clock = opts.clock ?? systemClock;
  const publisher = new LocalPublisher();
  const timer: DeadlineTimer =
    opts.timer ??
    (redis ? new RedisDeadlineTimer(redis, clock, { key: opts.timerKey ?? `${config.REDIS_PREFIX}deadlines`, log }) : new LocalDeadlineTimer(clock, { log }));
  /** Who is watching which socket.io room; the realtime layer fills it in (offline elsewhere). */
  const presence: { current: Presence } = { current: offlinePresence };
  const notifier = opts.notifier ?? createSandboxNotifier(db);
  const rateLimiter = createRateLimiter({ redis, prefix: opts.rateLimitPrefix ?? config.RATE_LIMIT_PREFIX });
  /**
   * The origin in links people follow: ORIGIN when configured; otherwise the origin the person's request
   * came to (127.0.0.1 or a LAN address on a phone would otherwise come back to `localhost`, signed out);
   * otherwise, for links made without a request (notify URLs, messages), this machine.
   */
  const publicOrigin = (requestOrigin?: string) =>
    config.ORIGIN ?? (requestOrigin && /^https?:\/\/[a-z0-9.\-:[\]]+$/i.test(requestOrigin) ? requestOrigin : `http://localhost:${config.PORT}`);
  const gateway = createSandboxGateway({
    secret: `${config.APP_SECRET}:sandbox-gateway`,
    // The sandbox bank is one of our own pages: served from wherever the payer's return address points.
    bankPageUrl: (origin) => `${publicOrigin(origin)}/api/v1/sandbox/bank`,
    log: lineLog(logger.child({ component: 'sandbox-gateway' })),
    ...opts.sandbox,
  });
  // The durable queue of timed work and post-commit side effects; this node's worker runs in startJobs.
  const jobs = createJobQueue({ db, clock, log: logger.child({ component: 'jobs' }) });
  const deps: PlatformDeps = {
    config,
    db,
    dbHandle,
    clock,
    publisher,
    timer,
    jobs,
    notifier,
    rateLimiter,
    redis,
    redisPrefix: opts.rateLimitPrefix ? `${config.REDIS_PREFIX}${opts.rateLimitPrefix}:` : config.REDIS_PREFIX,
    gateway,
    presence,
    publicOrigin,
    log,
  };
  const services = await buildServices(CONTEXTS, deps);
  services.files.setAccessCheck(fileAccessCheck(CONTEXTS, services));

  const stopJobs: (() => Promise<void>)[] = [];
  let jobsStarted = false;
  const resumeTimers = async () => {
    for (const ctx of CONTEXTS) {
      const resume = ctx.jobs?.resume;
      if (resume) await servicesFn<[], Promise<unknown>, ContextServices>(resume)(services).catch((e) => log(`[${ctx.name}] resume: ${(e as Error).message}`));
    }
  };
  /** Called whenever Redis is back after an outage (the realtime layer tells its clients to resync). */
  const reconnectListeners = new Set<() => void>();
  if (redis) {
    // A restarted Redis may have lost every deadline key: put them back from the database.
    watchRedis(
      redis,
      'redis:jobs',
      () => undefined,
      () => {
        if (jobsStarted) void resumeTimers();
        for (const l of reconnectListeners) l();
      },
    );
  }
  return {
    config,
    dbHandle,
    db,
    redis,
    /** Prefix of every Redis key and channel of this deployment (REDIS_PREFIX). */
    redisPrefix: config.REDIS_PREFIX,
    /** Runs `fn` each time Redis is reachable again after an outage; returns the unsubscribe function. */
    onRedisReconnect(fn: () => void) {
      reconnectListeners.add(fn);
      return () => void reconnectListeners.delete(fn);
    },
    clock,
    publisher,
    notifier,
    rateLimiter,
    gateway,
    timer,
    jobs,
    presence,
    services,
    /**
     * Timed work of this node: deadline wake-ups, a safety sweep for anything a dead node claimed,
     * and the catch-up after a restart. Realtime nodes and the single process run it; web nodes don't.
     */
    async startJobs() {
      if (jobsStarted) return;
      jobsStarted = true;
      // The worker's first pass is the catch-up: whatever fell due while no node ran jobs.
      jobs.start();
      stopJobs.push(() => jobs.stop());
      timer.start();
      await resumeTimers();
      // One interval per sweep period; each context's sweep is idempotent, so any node may run it.
      const periods = new Map<number, { name: string; run: (s: ContextServices) => Promise<unknown> }[]>();
      for (const ctx of CONTEXTS) {
        const sweep = ctx.jobs?.sweep;
        if (sweep)
          periods.set(sweep.everyMs, [
            ...(periods.get(sweep.everyMs) ?? []),
            { name: ctx.name, run: servicesFn<[], Promise<unknown>, ContextServices>(sweep.run) },
          ]);
      }
      for (const [everyMs, sweeps] of periods) {
        const interval = setInterval(() => {
          for (const sweep of sweeps) void sweep.run(services).catch((e) => log(`[${sweep.name}] sweep: ${(e as Error).message}`));
        }, everyMs);
        interval.unref();
        stopJobs.push(async () => clearInterval(interval));
      }
      stopJobs.push(() => timer.stop());
    },
    /** Database and (when configured) Redis answer. */
    async ready() {
      await dbHandle.ping();
      if (redis) await redis.ping();
    },
    async close() {
      for (const stop of stopJobs.splice(0)) await stop();
      redis?.disconnect();
      if (!opts.dbHandle) await dbHandle.close();
    },
  };
}

export type Platform = Awaited<ReturnType<typeof createPlatform>>;
/** Every context's services, flat: `platform.services.<name>` (see core/contexts.ts). */
export type Services = Platform['services'];

/**
 * Builds each context's services in list order, handing it the services built so far (the list's
 * order is checked by type in core/contexts.ts; here again, by name, for a list built at run time).
 */
export async function buildServices(list: readonly AnyContext[], deps: PlatformDeps): Promise<ContextServices> {
  const built: Record<string, unknown> = {};
  const done = new Set<string>();
  for (const ctx of list) {
    if (done.has(ctx.name)) throw new Error(`context ${ctx.name} is listed twice`);
    const missing = ctx.needs.filter((n) => !done.has(n));
    if (missing.length) throw new Error(`context ${ctx.name} needs ${missing.join(', ')}, listed after it in core/contexts.ts`);
    // Each context reads only what it declared it needs; `built` holds at least that (checked above).
    const own = await (ctx.create as (deps: PlatformDeps, needs: Record<string, unknown>) => object | Promise<object>)(deps, built);
    for (const key of Object.keys(own)) {
      if (key in built) throw new Error(`services.${key} of context ${ctx.name} is already built by another context`);
    }
    Object.assign(built, own);
    done.add(ctx.name);
  }
  // Sound by construction: `built` holds the result of every create of the list, which is what ContextServices merges.
  return built as ContextServices;
}

/** One access check over every context's file-access rules; each purpose has exactly one owner. */
export function fileAccessCheck<All>(list: readonly AnyContext[], services: All): FileAccessCheck {
  type Rule = (services: All, actor: Actor | null, file: { subjectId: string; organisationId: string | null }) => Promise<boolean> | boolean;
  const rules = new Map<FilePurpose, { owner: string; rule: Rule }>();
  for (const ctx of list) {
    for (const purpose of FILE_PURPOSES) {
      const rule = ctx.fileAccess?.[purpose];
      if (!rule) continue;
      const other = rules.get(purpose);
      if (other) throw new Error(`file purpose ${purpose} has two owners: ${other.owner} and ${ctx.name}`);
      rules.set(purpose, {
        owner: ctx.name,
        rule: servicesFn<[actor: Actor | null, file: { subjectId: string; organisationId: string | null }], Promise<boolean> | boolean, All>(rule),
      });
    }
  }
  const orphan = FILE_PURPOSES.filter((p) => !rules.has(p));
  if (orphan.length) throw new Error(`no context decides who may read files of purpose ${orphan.join(', ')}`);
  return async (actor, f) => Boolean(await rules.get(f.purpose)!.rule(services, actor, f));
}
