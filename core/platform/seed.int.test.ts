import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform } from '../testing/test-platform';
import type { Platform } from './platform';
import { platformSettings, requirements, users } from '../../db/schema';
import { seedDemo } from '../accounts/accounts.seed';
import { seedDemoData } from './seed';

// An interrupted seed completed by the next start: core/platform/demo-market.int.test.ts (with the market it makes).

describe('demo data seeded by an earlier version (no recorded steps)', () => {
  let p: Platform;
  beforeAll(async () => {
    p = await createTestPlatform();
  });
  afterAll(() => p?.close());

  it('is left as it is: nothing is seeded twice', async () => {
    await seedDemo(p.db);
    await p.db.delete(platformSettings).where(eq(platformSettings.key, 'demo_seed:base'));
    const lines: string[] = [];
    expect(await seedDemoData(p, (l) => lines.push(l))).toBe(false);
    expect(lines.join('\n')).toMatch(/earlier version/);
    expect((await p.db.select({ n: count() }).from(users).where(eq(users.username, 'operator')))[0]!.n).toBe(1);
    expect((await p.db.select({ n: count() }).from(requirements))[0]!.n).toBe(0);
  });
});
