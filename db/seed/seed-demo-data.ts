import { eq } from 'drizzle-orm';
import type { Platform } from '../../core/platform/platform';
import { users } from '../schema';
import { seedDemo } from './demo';
import { seedDemoMall } from './demo-mall';
import { seedDemoTenders } from './demo-tenders';
import { createSeedSteps } from './seed-steps';

/** Arbitrary constant: nodes starting at once on one PostgreSQL database seed one after the other. */
const SEED_LOCK_KEY = 7_264_338_003;

/**
 * All demo data (base accounts, marketplace, mall), as recorded steps: safe on every start, and a seed
 * interrupted by Ctrl-C or a crash is completed by the next start. Returns true when anything was added.
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
    await steps.step('base', () => seedDemo(p.db, log));
    await seedDemoTenders(p, log, steps);
    await seedDemoMall(p, log, steps);
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
