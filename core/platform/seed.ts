import { eq } from 'drizzle-orm';
import { users } from '../../db/schema';
import { CONTEXTS, type ContextList } from '../contexts';
import type { SeedFn, SeedHostOf } from './context';
import type { Platform } from './platform';
import { createSeedSteps } from './seed-steps';

/** Every demo login (the mall's included) and their one password, for the start-up banner. */
export { DEMO_LOGINS, DEMO_PASSWORD } from '../accounts/accounts.seed';

/** Arbitrary constant: nodes starting at once on one PostgreSQL database seed one after the other. */
const SEED_LOCK_KEY = 7_264_338_003;

/**
 * All demo data: each context's seed in list order (core/contexts.ts: base accounts, marketplace, mall),
 * as recorded steps, so it is safe on every start and a seed interrupted by Ctrl-C or a crash is
 * completed by the next start. Returns true when anything was added.
 */
export async function seedDemoData(p: Platform, log: (line: string) => void = () => {}): Promise<boolean> {
  const steps = createSeedSteps(p.db);
  if (await steps.isDone('complete')) return false;
  return withSeedLock(p, async () => {
    if (await steps.isDone('complete')) return false;
    // Seeded by a version that recorded no steps: it ran to the end or stopped at an unknown point.
    if (!(await steps.anyRecorded()) && (await p.db.query.users.findFirst({ where: eq(users.username, 'operator') }))) {
      log('Demo data from an earlier version found: left as it is.');
      await steps.markDone('complete');
      return false;
    }
    // The platform offers what every seed declares it uses (checked below).
    for (const ctx of CONTEXTS) if (ctx.seed) await (ctx.seed as SeedFn<Platform>)(p, log, steps);
    await steps.markDone('complete');
    return steps.ran;
  });
}

/** One seeder at a time per PostgreSQL database (the embedded database has one process anyway). */
async function withSeedLock<T>(p: Platform, run: () => Promise<T>): Promise<T> {
  const url = p.dbHandle.url;
  if (p.dbHandle.kind !== 'postgres' || !url) return run();
  const { default: postgres } = await import('postgres');
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${SEED_LOCK_KEY})`;
    return await run();
  } finally {
    await client.end({ timeout: 5 });
  }
}

type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
/** Compiles only while the platform offers everything each context's seed declares it uses. */
const seedsFitThePlatform: Platform extends Intersection<SeedHostOf<ContextList[number]>> ? true : false = true;
void seedsFitThePlatform;
