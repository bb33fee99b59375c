import { randomUUID } from 'node:crypto';
import { desc, eq } from 'drizzle-orm';
import { openTestDb } from '../../db/test/test-db';
import { outbox } from '../../db/schema';
import { loadConfig } from '../shared/config';
import { ManualClock, type Clock } from '../shared/clock';
import { createPlatform, type Platform } from '../platform/platform';

/**
 * A real platform on a fresh test database (PGlite, or a PostgreSQL copy when DATABASE_URL is set)
 * with real Redis when REDIS_URL is set. Nothing is mocked; the clock can be a ManualClock.
 */
export async function createTestPlatform(opts: { clock?: Clock; timerKey?: string; env?: Record<string, string> } = {}): Promise<Platform & { clock: Clock }> {
  const dbHandle = await openTestDb();
  const config = loadConfig({
    NODE_ENV: 'test',
    REDIS_URL: process.env.REDIS_URL,
    APP_SECRET: 'test-secret-0123456789',
    SEED_DEMO: 'false',
    ...opts.env,
  });
  const platform = await createPlatform(config, {
    dbHandle,
    migrate: false,
    clock: opts.clock,
    rateLimitPrefix: `test-${randomUUID()}`,
    timerKey: opts.timerKey ?? `test-deadlines-${randomUUID()}`,
  });
  return {
    ...platform,
    async close() {
      await platform.close();
      await dbHandle.close();
    },
  };
}

/** The newest code the sandbox "sent" to a mobile or e-mail, read from the outbox like a person would. */
export async function latestCode(platform: Platform, recipient: string): Promise<string> {
  const [row] = await platform.db.select().from(outbox).where(eq(outbox.recipient, recipient)).orderBy(desc(outbox.createdAt)).limit(1);
  const m = row?.body.match(/\b(\d{6})\b/);
  if (!m) throw new Error(`no code in the outbox for ${recipient}`);
  return m[1]!;
}

export { ManualClock };
