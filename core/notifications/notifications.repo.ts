import { and, count, desc, eq, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { memberships, outbox, siteMessages, users } from '../../db/schema';

/** SQL of site messages (站内信) and the sandbox SMS/e-mail outbox. */
export const notificationsRepo = {
  async countUnread(q: DbOrTx, userId: string) {
    const [row] = await q
      .select({ n: count() })
      .from(siteMessages)
      .where(and(eq(siteMessages.userId, userId), isNull(siteMessages.readAt)));
    return Number(row?.n ?? 0);
  },

  async findMessage(q: DbOrTx, id: string) {
    const [row] = await q.select().from(siteMessages).where(eq(siteMessages.id, id));
    return row;
  },

  async insertMessage(q: DbOrTx, values: typeof siteMessages.$inferInsert) {
    const [row] = await q.insert(siteMessages).values(values).returning();
    return row!;
  },

  /** The active members of an organisation: who an organisation-wide message goes to. */
  listActiveMemberIds: (q: DbOrTx, organisationId: string) =>
    q
      .select({ userId: memberships.userId })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.organisationId, organisationId), eq(users.status, 'active'))),

  /** A page of the user's messages (only the unread ones when asked), newest first, with the total. */
  async pageMessages(q: DbOrTx, userId: string, unreadOnly: boolean, paging: { limit: number; offset: number }) {
    const where = unreadOnly ? and(eq(siteMessages.userId, userId), isNull(siteMessages.readAt)) : eq(siteMessages.userId, userId);
    const [items, [total]] = await Promise.all([
      q.select().from(siteMessages).where(where).orderBy(desc(siteMessages.createdAt), desc(siteMessages.id)).limit(paging.limit).offset(paging.offset),
      q.select({ n: count() }).from(siteMessages).where(where),
    ]);
    return { items, total: Number(total?.n ?? 0) };
  },

  /** Marks one of the user's messages read (keeping the first read time); false when it is not theirs. */
  async markRead(q: DbOrTx, userId: string, messageId: string) {
    const rows = await q
      .update(siteMessages)
      .set({ readAt: sql`coalesce(${siteMessages.readAt}, now())` })
      .where(and(eq(siteMessages.id, messageId), eq(siteMessages.userId, userId)))
      .returning({ id: siteMessages.id });
    return rows.length > 0;
  },

  markAllRead: (q: DbOrTx, userId: string) =>
    q
      .update(siteMessages)
      .set({ readAt: sql`now()` })
      .where(and(eq(siteMessages.userId, userId), isNull(siteMessages.readAt))),

  insertOutbox: (q: DbOrTx, values: typeof outbox.$inferInsert) => q.insert(outbox).values(values),
  /** Many SMS in one statement (the messages as one JSON parameter). */
  insertSmsMany: (q: DbOrTx, v: readonly { to: string; text: string }[]) =>
    q.execute(
      sql`insert into ${outbox} (channel, recipient, body) select 'sms', t.recipient, t.body from jsonb_to_recordset(${JSON.stringify(v.map((x) => ({ recipient: x.to, body: x.text })))}::jsonb) as t(recipient text, body text)`,
    ),

  listOutbox(q: DbOrTx, opts: { recipient?: string; limit?: number } = {}) {
    const query = q.select().from(outbox);
    return (opts.recipient ? query.where(eq(outbox.recipient, opts.recipient)) : query).orderBy(desc(outbox.createdAt)).limit(opts.limit ?? 100);
  },
};
