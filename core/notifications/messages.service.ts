import { and, count, desc, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { PageNumber, PageSize } from '../shared/paging';
import type { Db, DbOrTx } from '../../db/client';
import { memberships, siteMessages, users } from '../../db/schema';
import { AppError } from '../shared/app-error';
import type { Publisher } from '../shared/publisher';

export const MessageListQuery = z.object({
  page: PageNumber,
  pageSize: PageSize(100, 20),
  unread: z.coerce.boolean().optional(),
});
export type MessageListQuery = z.infer<typeof MessageListQuery>;

export interface NewSiteMessage {
  userId: string;
  title: string;
  body: string;
  link?: string;
  category?: string;
}

export type SiteMessageView = typeof siteMessages.$inferSelect;

export interface MessageDeps {
  db: Db;
  publisher: Publisher;
}

/** 站内信: every context notifies people through `send`; the user's own socket room gets it live. */
export function createMessageService({ db, publisher }: MessageDeps) {
  const unreadCount = async (userId: string, q: DbOrTx = db) => {
    const [row] = await q
      .select({ n: count() })
      .from(siteMessages)
      .where(and(eq(siteMessages.userId, userId), isNull(siteMessages.readAt)));
    return Number(row?.n ?? 0);
  };

  return {
    unreadCount,

    /**
     * Writes a site message (inside the caller's transaction when one is given) and returns a function
     * that pushes it to `user:<id>`; call that after commit so nobody is told about a rolled-back message.
     */
    async send(msg: NewSiteMessage, tx?: DbOrTx) {
      const [row] = await (tx ?? db)
        .insert(siteMessages)
        .values({ userId: msg.userId, title: msg.title, body: msg.body, link: msg.link, category: msg.category ?? 'system' })
        .returning();
      const push = async () => {
        await publisher.publish(`user:${msg.userId}`, 'message:new', {
          message: row,
          unreadCount: await unreadCount(msg.userId),
        });
      };
      if (!tx) await push();
      return { message: row!, push };
    },

    /**
     * Sends the same message to every active member of an organisation (inside `tx`); returns one
     * function that pushes them all, to call after commit.
     */
    async sendToOrganisation(organisationId: string, msg: Omit<NewSiteMessage, 'userId'>, tx?: DbOrTx) {
      const q = tx ?? db;
      const members = await q
        .select({ userId: memberships.userId })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(and(eq(memberships.organisationId, organisationId), eq(users.status, 'active')));
      const sent: { push: () => Promise<void> }[] = [];
      for (const m of members) sent.push(await this.send({ ...msg, userId: m.userId }, q));
      const push = async () => {
        for (const s of sent) await s.push();
      };
      if (!tx) await push();
      return { count: sent.length, push };
    },

    async list(userId: string, query: MessageListQuery) {
      const where = query.unread
        ? and(eq(siteMessages.userId, userId), isNull(siteMessages.readAt))
        : eq(siteMessages.userId, userId);
      const [items, [total]] = await Promise.all([
        db
          .select()
          .from(siteMessages)
          .where(where)
          .orderBy(desc(siteMessages.createdAt), desc(siteMessages.id))
          .limit(query.pageSize)
          .offset((query.page - 1) * query.pageSize),
        db.select({ n: count() }).from(siteMessages).where(where),
      ]);
      return { items, total: Number(total?.n ?? 0), page: query.page, pageSize: query.pageSize, unreadCount: await unreadCount(userId) };
    },

    /** Marks one of the caller's own messages read; another user's message is NOT_FOUND. */
    async markRead(userId: string, messageId: string) {
      if (!z.uuid().safeParse(messageId).success) throw new AppError('NOT_FOUND', '消息不存在');
      const rows = await db
        .update(siteMessages)
        .set({ readAt: sql`coalesce(${siteMessages.readAt}, now())` })
        .where(and(eq(siteMessages.id, messageId), eq(siteMessages.userId, userId)))
        .returning({ id: siteMessages.id });
      if (!rows.length) throw new AppError('NOT_FOUND', '消息不存在');
      const n = await unreadCount(userId);
      await publisher.publish(`user:${userId}`, 'message:unread', { unreadCount: n });
      return { unreadCount: n };
    },

    async markAllRead(userId: string) {
      await db
        .update(siteMessages)
        .set({ readAt: sql`now()` })
        .where(and(eq(siteMessages.userId, userId), isNull(siteMessages.readAt)));
      await publisher.publish(`user:${userId}`, 'message:unread', { unreadCount: 0 });
      return { unreadCount: 0 };
    },
  };
}

export type MessageService = ReturnType<typeof createMessageService>;
