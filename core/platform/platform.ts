import { openDb, type DbHandle } from '../../db/client';
import { migrateDb } from '../../db/migrate';
import { createAccountService } from '../accounts/accounts.service';
import { createMessageService } from '../notifications/messages.service';
import { createSandboxNotifier, type Notifier } from '../notifications/notifier';
import { createOrganisationService } from '../organisations/organisations.service';
import { systemClock, DAY, MINUTE, type Clock } from '../shared/clock';
import { ConfigError, type Config } from '../shared/config';
import { LocalPublisher } from '../shared/publisher';
import { createRateLimiter } from '../shared/rate-limit';
import { createRedis, watchRedis } from '../shared/redis';
import { createLedger } from '../wallet/ledger.service';
import { createRechargeService } from '../wallet/recharge.service';
import { createSandboxGateway, type SandboxOptions } from '../wallet/sandbox-gateway';
import { createSandboxPayoutGateway } from '../wallet/payout-gateway';
import { createWithdrawalService } from '../wallet/withdrawal.service';
import { createStatementService } from '../wallet/statement.service';
import { createFileService } from '../files/files.service';
import { createSettingsService } from '../settings/settings.service';
import { createAuditService } from '../audit/audit.service';
import { createRequirementService } from '../tenders/requirements.service';
import { createProposalService } from '../tenders/proposals.service';
import { createInvitationService } from '../tenders/invitations.service';
import { createStorefrontService } from '../tenders/storefronts.service';
import { createRoomService } from '../rooms/rooms.service';
import { createEscrowService } from '../escrow/escrow.service';
import { createOrderService } from '../mall/orders.service';
import { createUnitService } from '../mall/units.service';
import { createCatalogService } from '../mall/catalog.service';
import { createAddressService } from '../mall/addresses.service';
import { createStatisticsService } from '../mall/statistics.service';
import { LocalDeadlineTimer, RedisDeadlineTimer, type DeadlineTimer } from '../shared/deadline-timer';
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
  const log = (l: string) => console.warn(l);
  const redis = config.REDIS_URL ? createRedis(config.REDIS_URL, log) : undefined;
  const db = dbHandle.db;
  const clock = opts.clock ?? systemClock;
  const publisher = new LocalPublisher();
  const timer: DeadlineTimer =
    opts.timer ?? (redis ? new RedisDeadlineTimer(redis, clock, { key: opts.timerKey ?? `${config.REDIS_PREFIX}deadlines`, log }) : new LocalDeadlineTimer(clock, { log }));
  /** Who is watching which socket.io room; the realtime layer fills it in (offline elsewhere). */
  const presence: { current: Presence } = { current: offlinePresence };
  const notifier = opts.notifier ?? createSandboxNotifier(db);
  const rateLimiter = createRateLimiter({ redis, prefix: opts.rateLimitPrefix ?? config.RATE_LIMIT_PREFIX });
  const messages = createMessageService({ db, publisher });
  const accounts = createAccountService({
    db,
    clock,
    notifier,
    messages,
    rateLimiter,
    secret: config.APP_SECRET,
    session: { idleMs: config.SESSION_IDLE_MINUTES * MINUTE, absoluteMs: config.SESSION_ABSOLUTE_DAYS * DAY },
  });
  const organisations = createOrganisationService({ db });
  const ledger = createLedger({ db });
  await ledger.ensurePlatformAccounts();
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
    log: (l) => console.warn(l),
    ...opts.sandbox,
  });
  const withdrawals = createWithdrawalService({ db, clock, ledger, messages, payouts: createSandboxPayoutGateway(notifier) });
  const statements = createStatementService({ db, ledger });
  const recharges = createRechargeService({ db, clock, ledger, messages, gateway, publicOrigin, log: (l) => console.warn(l) });
  const settings = createSettingsService({ db });
  const files = createFileService({ db });
  const requirements = createRequirementService({ db, clock, ledger, messages, settings, files, publisher });
  // The room decides a bidder's current price; proposals' views ask it (rooms is created below).
  const proposals = createProposalService({ db, clock, files, publisher, currentPricesFen: (id) => rooms.currentPricesFen(id) });
  const invitations = createInvitationService({ db, clock, messages, files, publisher, presence: () => presence.current });
  const rooms = createRoomService({ db, clock, publisher, timer, messages, settings, files });
  const escrow = createEscrowService({ db, clock, ledger, messages, settings, files, timer, requirements, winningPriceFen: rooms.winningPriceFen });
  const orders = createOrderService({ db, clock, ledger, messages, gateway, files, timer, publicOrigin });
  recharges.onNotices('MP', (tx, notice) => orders.handleNotice(tx, notice));
  const statistics = createStatisticsService({ db });
  const audit = createAuditService({ db });
  const storefronts = createStorefrontService({ db, clock, files });
  const units = createUnitService({ db, clock, accounts, messages });
  const catalog = createCatalogService({ db, clock, files, messages });
  const addresses = createAddressService({ db, clock });
  files.setAccessCheck(async (actor, f) => {
    switch (f.purpose) {
      case 'storefront':
        return true;
      case 'requirement':
        return requirements.get(actor, f.subjectId).then(
          () => true,
          () => false,
        );
      case 'proposal':
        return proposals.canReadAttachment(actor, f.subjectId);
      case 'negotiation':
        return invitations.canReadAttachment(actor, f.subjectId);
      case 'milestone':
      case 'after_sales':
        return escrow.canReadAttachment(actor, f.purpose, f.subjectId);
      case 'mall_receipt':
        // Transfer receipts: the paying unit (the uploader's organisation, checked above) and operators.
        return Boolean(actor?.isOperator);
      case 'product':
        return catalog.canReadImage(actor, f.subjectId);
    }
  });

  const stopJobs: (() => Promise<void>)[] = [];
  let jobsStarted = false;
  const resumeTimers = async () => {
    await rooms.resumeTimers().catch((e) => log(`[rooms] resume: ${(e as Error).message}`));
    await escrow.resumeTimers().catch((e) => log(`[escrow] resume: ${(e as Error).message}`));
    await orders.resumeTimers().catch((e) => log(`[mall] resume: ${(e as Error).message}`));
  };
  /** Called whenever Redis is back after an outage (the realtime layer tells its clients to resync). */
  const reconnectListeners = new Set<() => void>();
  if (redis) {
    // A restarted Redis may have lost every deadline key: put them back from the database.
    watchRedis(redis, 'redis:jobs', () => undefined, () => {
      if (jobsStarted) void resumeTimers();
      for (const l of reconnectListeners) l();
    });
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
    presence,
    services: { accounts, organisations, audit, messages, ledger, recharges, withdrawals, statements, settings, files, requirements, proposals, invitations, storefronts, rooms, escrow, orders, statistics, units, catalog, addresses },
    /**
     * Timed work of this node: deadline wake-ups, a safety sweep for anything a dead node claimed,
     * and the catch-up after a restart. Realtime nodes and the single process run it; web nodes don't.
     */
    async startJobs() {
      if (jobsStarted) return;
      jobsStarted = true;
      timer.start();
      await resumeTimers();
      const sweep = setInterval(() => {
        void rooms.closeDueRounds().catch((e) => log(`[rooms] sweep: ${(e as Error).message}`));
        void escrow.runDueJobs().catch((e) => log(`[escrow] sweep: ${(e as Error).message}`));
        void orders.runDueJobs().catch((e) => log(`[mall] sweep: ${(e as Error).message}`));
      }, 5_000);
      sweep.unref();
      stopJobs.push(async () => clearInterval(sweep), () => timer.stop());
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
export type Services = Platform['services'];
