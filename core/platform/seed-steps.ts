import { eq, like } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { platformSettings } from '../../db/schema';

const PREFIX = 'demo_seed:';

/**
 * Runs a named seeding step unless an earlier start finished it, so a seed interrupted half-way
 * (Ctrl-C, a crash) carries on at the next start with what is missing instead of being skipped for good.
 * A step's result (ids for later steps) is kept with its marker. A step interrupted after its own
 * commit but before its marker runs again: steps are single service calls, so that window is small.
 */
export type SeedStep = <T>(name: string, run: () => Promise<T>) => Promise<T>;

export interface SeedSteps {
  step: SeedStep;
  /** Whether any step ran in this process (false: everything was already there). */
  readonly ran: boolean;
  isDone(name: string): Promise<boolean>;
  markDone(name: string): Promise<void>;
  /** Whether any step was ever recorded (data seeded before steps were recorded has none). */
  anyRecorded(): Promise<boolean>;
}

export function createSeedSteps(db: Db): SeedSteps {
  let ran = false;
  const find = async (name: string) =>
    (
      await db
        .select({ value: platformSettings.value })
        .from(platformSettings)
        .where(eq(platformSettings.key, PREFIX + name))
    )[0];
  const record = async (name: string, result: unknown) => {
    await db
      .insert(platformSettings)
      .values({ key: PREFIX + name, value: { done: true, result: result ?? null } })
      .onConflictDoNothing();
  };
  return {
    get ran() {
      return ran;
    },
    async step<T>(name: string, run: () => Promise<T>): Promise<T> {
      const done = await find(name);
      if (done) return (done.value as { result: T }).result;
      ran = true;
      const result = await run();
      await record(name, result);
      return result;
    },
    isDone: async (name) => Boolean(await find(name)),
    markDone: (name) => record(name, null),
    anyRecorded: async () =>
      (
        await db
          .select({ key: platformSettings.key })
          .from(platformSettings)
          .where(like(platformSettings.key, `${PREFIX}%`))
          .limit(1)
      ).length > 0,
  };
}
