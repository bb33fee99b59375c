import { Redis } from 'ioredis';
import { lineLog, logger } from './logger';

type Log = (line: string) => void;
const redisLog: Log = lineLog(logger.child({ component: 'redis' }));

/**
 * A Redis connection that rides out an outage: it reconnects forever (backing off up to 2 s), a
 * command fails fast while Redis is away instead of hanging a request, and connection errors are
 * logged (once per outage) instead of reaching the process as an unhandled 'error' event.
 * PostgreSQL is the truth; Redis only carries wake-ups, rate-limit buckets and fan-out.
 */
export function createRedis(url: string, log: Log = redisLog): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    // A command sent during an outage waits for one reconnect attempt at most, then fails.
    enableOfflineQueue: true,
    connectTimeout: 2000,
  });
  return watchRedis(redis, 'redis', log);
}

/**
 * Logs a client's errors and reconnects; `onReconnect` runs each time it is ready again after it
 * was lost (never on the first connect), so callers can rebuild what Redis may have forgotten.
 */
export function watchRedis(redis: Redis, name: string, log: Log = redisLog, onReconnect?: () => void): Redis {
  let down = false;
  let wasReady = redis.status === 'ready';
  redis.on('error', (e: Error) => {
    if (down) return;
    down = true;
    log(`[${name}] unavailable: ${e.message}`);
  });
  redis.on('close', () => {
    if (wasReady) down = true;
  });
  redis.on('ready', () => {
    const again = wasReady;
    wasReady = true;
    if (down) log(`[${name}] connected again`);
    down = false;
    if (again) onReconnect?.();
  });
  return redis;
}

/**
 * Makes some of a client's commands never reject. The socket.io adapter and emitter publish (and
 * unsubscribe on close) without awaiting, so a rejection during an outage would be an unhandled
 * rejection and stop the process. A lost publish is logged once per outage; clients catch up by
 * sequence number when Redis is back.
 */
export function failSoftly(redis: Redis, name: string, commands: readonly string[], log: Log = redisLog): Redis {
  let failing = false;
  const target = redis as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const command of commands) {
    const original = target[command]!.bind(redis);
    target[command] = (...args: unknown[]) =>
      original(...args).then(
        (n) => {
          failing = false;
          return n;
        },
        (e: Error) => {
          if (!failing) log(`[${name}] ${command} lost while Redis is unavailable: ${e.message}`);
          failing = true;
          return 0;
        },
      );
  }
  return redis;
}

/** PUBLISH that never rejects (see `failSoftly`). */
export const publishSafely = (redis: Redis, name: string, log?: Log) => failSoftly(redis, name, ['publish'], log);
