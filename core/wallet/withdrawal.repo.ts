import { and, count, desc, eq, ne } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { bankCards, securityPasswords, withdrawals } from '../../db/schema';

export type CardRow = typeof bankCards.$inferSelect;
export type WithdrawalRow = typeof withdrawals.$inferSelect;

/** SQL of 银行认证, 安全密码 and 提现. */
export const withdrawalRepo = {
  /** One of the organisation's cards (any status); `lock` holds it for a decision. */
  async findOwnCard(q: DbOrTx, organisationId: string, cardId: string, opts: { lock?: boolean } = {}) {
    const query = q
      .select()
      .from(bankCards)
      .where(and(eq(bankCards.id, cardId), eq(bankCards.organisationId, organisationId)));
    const [card] = await (opts.lock ? query.for('update') : query);
    return card;
  },

  async findCard(q: DbOrTx, cardId: string) {
    const [card] = await q.select().from(bankCards).where(eq(bankCards.id, cardId));
    return card;
  },

  async insertCard(q: DbOrTx, values: typeof bankCards.$inferInsert) {
    const [row] = await q.insert(bankCards).values(values).returning();
    return row!;
  },

  async updateCard(q: DbOrTx, cardId: string, set: Partial<typeof bankCards.$inferInsert>) {
    const [row] = await q.update(bankCards).set(set).where(eq(bankCards.id, cardId)).returning();
    return row!;
  },

  /** The organisation's cards that are not removed, newest first. */
  listCards: (q: DbOrTx, organisationId: string) =>
    q
      .select()
      .from(bankCards)
      .where(and(eq(bankCards.organisationId, organisationId), ne(bankCards.status, 'removed')))
      .orderBy(desc(bankCards.createdAt)),

  /** The user's security password row, locked so concurrent tries are counted one after another. */
  async lockSecurityPassword(q: DbOrTx, userId: string) {
    const [row] = await q.select().from(securityPasswords).where(eq(securityPasswords.userId, userId)).for('update');
    return row;
  },

  async hasSecurityPassword(q: DbOrTx, userId: string) {
    const [row] = await q.select({ userId: securityPasswords.userId }).from(securityPasswords).where(eq(securityPasswords.userId, userId));
    return Boolean(row);
  },

  setSecurityPasswordTries: (q: DbOrTx, userId: string, failedAttempts: number, lockedUntil: Date | null) =>
    q.update(securityPasswords).set({ failedAttempts, lockedUntil }).where(eq(securityPasswords.userId, userId)),

  /** Sets or replaces the hash; a new password clears the wrong tries and the lock. */
  upsertSecurityPassword: (q: DbOrTx, userId: string, passwordHash: string, at: Date) =>
    q
      .insert(securityPasswords)
      .values({ userId, passwordHash })
      .onConflictDoUpdate({ target: securityPasswords.userId, set: { passwordHash, failedAttempts: 0, lockedUntil: null, updatedAt: at } }),

  async insertWithdrawal(q: DbOrTx, values: typeof withdrawals.$inferInsert) {
    const [row] = await q.insert(withdrawals).values(values).returning();
    return row!;
  },

  async findWithdrawalByNo(q: DbOrTx, withdrawalNo: string, opts: { lock?: boolean } = {}) {
    const query = q.select().from(withdrawals).where(eq(withdrawals.withdrawalNo, withdrawalNo));
    const [row] = await (opts.lock ? query.for('update') : query);
    return row;
  },

  async updateWithdrawal(q: DbOrTx, id: string, set: Partial<typeof withdrawals.$inferInsert>) {
    const [row] = await q.update(withdrawals).set(set).where(eq(withdrawals.id, id)).returning();
    return row!;
  },

  /** A page of the organisation's withdrawals, newest first, with the total. */
  async pageWithdrawals(q: DbOrTx, organisationId: string, paging: { limit: number; offset: number }) {
    const where = eq(withdrawals.organisationId, organisationId);
    const [items, [total]] = await Promise.all([
      q.select().from(withdrawals).where(where).orderBy(desc(withdrawals.createdAt), desc(withdrawals.id)).limit(paging.limit).offset(paging.offset),
      q.select({ n: count() }).from(withdrawals).where(where),
    ]);
    return { items, total: Number(total?.n ?? 0) };
  },

  /** Pending withdrawals, oldest first, each with its destination card. */
  listPendingWithdrawals: (q: DbOrTx, limit: number) =>
    q
      .select({ withdrawal: withdrawals, card: bankCards })
      .from(withdrawals)
      .innerJoin(bankCards, eq(bankCards.id, withdrawals.cardId))
      .where(eq(withdrawals.status, 'pending'))
      .orderBy(withdrawals.createdAt)
      .limit(limit),
};
