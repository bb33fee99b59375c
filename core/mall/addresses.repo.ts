import { and, asc, count, desc, eq, ne } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client';
import { addresses, users } from '../../db/schema';

export type AddressRow = typeof addresses.$inferSelect;
type AddressFields = Pick<typeof addresses.$inferInsert, 'recipient' | 'mobile' | 'regionCode' | 'detail'>;

/** SQL of the delivery addresses. Every write is scoped to its owner's user id. */
export const addressesRepo = {
  /** Locks the person's user row: their address writes run one after the other. */
  lockUser: (tx: Tx, userId: string) => tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for('update'),

  async findOwn(q: DbOrTx, userId: string, id: string): Promise<AddressRow | undefined> {
    const [row] = await q
      .select()
      .from(addresses)
      .where(and(eq(addresses.id, id), eq(addresses.userId, userId)));
    return row;
  },

  /** The default first, then newest first. */
  listOf: (q: DbOrTx, userId: string) =>
    q.select().from(addresses).where(eq(addresses.userId, userId)).orderBy(desc(addresses.isDefault), desc(addresses.createdAt), asc(addresses.id)),

  async findDefault(q: DbOrTx, userId: string): Promise<AddressRow | undefined> {
    const [row] = await q
      .select()
      .from(addresses)
      .where(and(eq(addresses.userId, userId), eq(addresses.isDefault, true)));
    return row;
  },

  async countOf(q: DbOrTx, userId: string): Promise<number> {
    const [{ n } = { n: 0 }] = await q.select({ n: count() }).from(addresses).where(eq(addresses.userId, userId));
    return Number(n);
  },

  async insert(q: DbOrTx, values: AddressFields & { userId: string; createdAt: Date }): Promise<AddressRow> {
    const [row] = await q
      .insert(addresses)
      .values({ ...values, isDefault: false })
      .returning();
    return row!;
  },

  update: (q: DbOrTx, userId: string, id: string, set: AddressFields) =>
    q
      .update(addresses)
      .set(set)
      .where(and(eq(addresses.id, id), eq(addresses.userId, userId))),

  remove: (q: DbOrTx, userId: string, id: string) => q.delete(addresses).where(and(eq(addresses.id, id), eq(addresses.userId, userId))),

  /** Makes `id` the only default of the user (the old default is cleared first: one default per user is a unique index). */
  async moveDefault(tx: Tx, userId: string, id: string) {
    await tx
      .update(addresses)
      .set({ isDefault: false })
      .where(and(eq(addresses.userId, userId), eq(addresses.isDefault, true), ne(addresses.id, id)));
    await tx
      .update(addresses)
      .set({ isDefault: true })
      .where(and(eq(addresses.id, id), eq(addresses.userId, userId)));
  },

  /** The newest address left, to inherit the default. */
  async newest(q: DbOrTx, userId: string): Promise<{ id: string } | undefined> {
    const [row] = await q
      .select({ id: addresses.id })
      .from(addresses)
      .where(eq(addresses.userId, userId))
      .orderBy(desc(addresses.createdAt), asc(addresses.id))
      .limit(1);
    return row;
  },
};
