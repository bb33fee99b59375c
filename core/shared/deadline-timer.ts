import type { Redis } from 'ioredis';
import type { Clock } from './clock';
import { lineLog, logger } from './logger';

const timerLog = lineLog(logger.child({ component: 'timer' }));

/**
 * Wakes code up at stored deadlines (a second round's close, later auto-acceptance and voucher
 * issuance). The deadline itself lives in the database and every handler is an idempotent
 * conditional update, so the timer only has to be "at least once, soon after": a handler may run
 * twice or early and must then do nothing.
 *
 * Keys are `<kind>:<id>`; each kind has one handler. Both implementations poll against the injected
 * clock (so tests can move time) instead of arming setTimeout for the exact instant.
 */
export interface DeadlineTimer {
  /** Schedules (or moves) the wake-up of `key` to `at`. */
  schedule(key: string, at: Date): Promise<void>;
  /** Registers the handler of one kind of key. */
  on(kind: string, handler: (id: string) => Promise<void>): void;
  /** Starts polling on this node (realtime nodes and the single process; never needed to schedule). */
  start(): void;
  stop(): Promise<void>;
  /** Runs every due wake-up now (tests, and the catch-up at start). */
  runDue(): Promise<number>;
}

type Handlers = Map<string, (id: string) => Promise<void>>;

async function dispatch(handlers: Handlers, key: string, log: (l: string) => void) {
  const i = key.indexOf(':');
  const handler = handlers.get(key.slice(0, i));
  if (!handler) return true;
  try {
    await handler(key.slice(i + 1));
    return true;
  } catch (e) {
    log(`[timer] ${key}: ${(e as Error).message}`);
    return false;
  }
}

/** One process: deadlines in a map. A restart loses the map, so callers re-schedule from the database at start. */
export class LocalDeadlineTimer implements DeadlineTimer {
  private due = new Map<string, number>();
  private handlers: Handlers = new Map();
  private poll?: ReturnType<typeof setInterval>;
  private running?: Promise<number>;

  constructor(
    private clock: Clock,
    private opts: { tickMs?: number; log?: (l: string) => void } = {},
  ) {}

  async schedule(key: string, at: Date) {
    this.due.set(key, at.getTime());
  }
  on(kind: string, handler: (id: string) => Promise<void>) {
    this.handlers.set(kind, handler);
  }
  start() {
    this.poll ??= setInterval(() => void this.runDue(), this.opts.tickMs ?? 200);
    this.poll.unref?.();
  }
  async stop() {
    clearInterval(this.poll);
    this.poll = undefined;
    await this.running;
  }
  runDue(): Promise<number> {
    // One pass at a time: a slow handler must not be started twice by overlapping ticks.
    this.running ??= (async () => {
      const now = this.clock.now().getTime();
      const keys = [...this.due].filter(([, at]) => at <= now).map(([k]) => k);
      for (const k of keys) {
        if (this.due.get(k)! > now) continue; // moved later meanwhile
        this.due.delete(k);
        if (!(await dispatch(this.handlers, k, this.opts.log ?? timerLog))) this.due.set(k, now + 1000);
      }
      return keys.length;
    })().finally(() => (this.running = undefined));
    return this.running;
  }
}

/**
 * Several nodes: deadlines in one Redis sorted set (score = epoch ms). Every node polls; a node claims
 * a due key by removing it (ZREM answers 1 to exactly one node), so a wake-up runs on one surviving
 * node even when the node that scheduled it has died.
 */
export class RedisDeadlineTimer implements DeadlineTimer {
  private handlers: Handlers = new Map();
  private poll?: ReturnType<typeof setInterval>;
  private running?: Promise<number>;

  constructor(
    private redis: Redis,
    private clock: Clock,
    private opts: { key?: string; tickMs?: number; log?: (l: string) => void } = {},
  ) {}

  private get zkey() {
    return this.opts.key ?? 'bangfu:deadlines';
  }
  /**
   * Never throws: the deadline is already committed in the database, so a wake-up lost to a Redis
   * outage is only late. The every-5-s sweep closes what is due meanwhile, and the platform puts every
   * pending deadline back from the database when Redis is reachable again (`resumeTimers`).
   */
  async schedule(key: string, at: Date) {
    try {
      await this.redis.zadd(this.zkey, at.getTime(), key);
    } catch (e) {
      (this.opts.log ?? timerLog)(`[timer] ${key} not scheduled (Redis unavailable, rebuilt on reconnect): ${(e as Error).message}`);
    }
  }
  on(kind: string, handler: (id: string) => Promise<void>) {
    this.handlers.set(kind, handler);
  }
  start() {
    this.poll ??= setInterval(() => void this.runDue().catch((e) => (this.opts.log ?? timerLog)(`[timer] ${(e as Error).message}`)), this.opts.tickMs ?? 200);
    this.poll.unref?.();
  }
  async stop() {
    clearInterval(this.poll);
    this.poll = undefined;
    await this.running?.catch(() => 0);
  }
  runDue(): Promise<number> {
    this.running ??= (async () => {
      const now = this.clock.now().getTime();
      const keys = await this.redis.zrangebyscore(this.zkey, '-inf', now, 'LIMIT', 0, 50);
      let ran = 0;
      for (const k of keys) {
        if ((await this.redis.zrem(this.zkey, k)) !== 1) continue; // another node claimed it
        ran++;
        if (!(await dispatch(this.handlers, k, this.opts.log ?? timerLog))) await this.redis.zadd(this.zkey, now + 1000, k);
      }
      return ran;
    })().finally(() => (this.running = undefined));
    return this.running;
  }
}
