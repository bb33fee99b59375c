import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { platformSettings } from '../../db/schema';

/** SQL of operator-configurable settings (`platform_settings`, one JSON value per key). */
export const settingsRepo = {
  /** The stored value, or undefined when the key was never set; `lock` holds the row for a change. */
  async findValue(q: DbOrTx, key: string, opts: { lock?: boolean } = {}) {
    const query = q.select({ value: platformSettings.value }).from(platformSettings).where(eq(platformSettings.key, key));
    const [row] = await (opts.lock ? query.for('update') : query);
    return row ? { value: row.value } : undefined;
  },

  upsertValue: (q: DbOrTx, key: string, value: unknown, updatedBy: string, at: Date) =>
    q
      .insert(platformSettings)
      .values({ key, value, updatedBy })
      .onConflictDoUpdate({ target: platformSettings.key, set: { value, updatedBy, updatedAt: at } }),
};
