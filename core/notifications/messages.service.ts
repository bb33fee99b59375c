import { z } from 'zod';
import { PageNumber, PageSize } from '../shared/paging';
import type { Db, DbOrTx } from '../../db/client';
import { notificationsRepo as repo } from './notifications.repo';
import { AppError } from '../shared/app-error';
import type { Publisher } from '../shared/publisher';
import { OUTBOX_PREFIX, type JobQueue } from '../jobs/jobs.service';

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

export interface MessageDeps {
  db: Db;
  publisher: Publisher;
  jobs: JobQueue;
}

/** The outbox topic of a new message's live push (`outbox:site-message`, keyed by the message id). */
export const SITE_MESSAGE_TOPIC = 'site-message';

/**
 * The outbox topic of an unread-count push (`outbox:message-unread`), keyed by the user: one row per
 * user that later reads move again, since the consumer publishes the count as it is when it runs.
 */
export const UNREAD_COUNT_TOPIC = 'message-unread';

/** 站内信: every context notifies people through `send`; the user's own socket room gets it live. */
export function createMessageService({ db, publisher, jobs }: MessageDeps) {
  const unreadCount = (userId: string, q: DbOrTx = db) => repo.countUnread(q, userId);

  // The consumer of the live push. At least once: a retry after a crash pushes the same message
  // again, and clients keep a message once by its id (web/src/lib/state/inbox.svelte.ts).
  jobs.on(`${OUTBOX_PREFIX}${SITE_MESSAGE_TOPIC}`, async (job) => {
    const { messageId } = job.payload as { messageId: string };
    const row = await repo.findMessage(db, messageId);
    if (!row) return; // the user was deleted since: nobody to tell
    await publisher.publish(`user:${row.userId}`, 'message:new', { message: row, unreadCount: await unreadCount(row.userId) });
  });

  // The consumer of the unread-count push. It re-reads the count, so delivering it twice, late or after
  // newer reads publishes the current number, never a stale one it was handed.
  jobs.on(`${OUTBOX_PREFIX}${UNREAD_COUNT_TOPIC}`, async (job) => {
    const { userId } = job.payload as { userId: string };
    await publisher.publish(`user:${userId}`, 'message:unread', { unreadCount: await unreadCount(userId) });
  });

  /** Owes `user:<id>` its new unread count, in the transaction that changed it; run the returned job after commit. */
  const enqueueUnreadCount = (q: DbOrTx, userId: string) => jobs.enqueue(q, UNREAD_COUNT_TOPIC, { userId }, userId);

  /** The message and its outbox row in one transaction: the push is owed exactly when the message exists. */
  async function write(msg: NewSiteMessage, q: DbOrTx) {
    const row = await repo.insertMessage(q, { userId: msg.userId, title: msg.title, body: msg.body, link: msg.link, category: msg.category ?? 'system' });
    const job = await jobs.enqueue(q, SITE_MESSAGE_TOPIC, { messageId: row.id }, row.id);
    return { row, jobId: job.id };
  }

  return {
    unreadCount,

    /**
     * Writes a site message (inside the caller's transaction when one is given) with an outbox row
     * for its live push to `user:<id>`, and returns `push`, which delivers it at once; call it after
     * commit. Forgotten or failed pushes are delivered by the job worker (the outbox is the truth).
     */
    async send(msg: NewSiteMessage, tx?: DbOrTx) {
      const { row, jobId } = tx ? await write(msg, tx) : await db.transaction((t) => write(msg, t));
      const push = async () => void (await jobs.runNow(jobId));
      if (!tx) await push();
      return { message: row, push };
    },

    /**
     * Sends the same message to every active member of an organisation (inside `tx`); returns one
     * function that pushes them all, to call after commit.
     */
    async sendToOrganisation(organisationId: string, msg: Omit<NewSiteMessage, 'userId'>, tx?: DbOrTx) {
      const writeAll = async (q: DbOrTx) => {
        const members = await repo.listActiveMemberIds(q, organisationId);
        const out: { push: () => Promise<void> }[] = [];
        for (const m of members) out.push(await this.send({ ...msg, userId: m.userId }, q));
        return out;
      };
      const sent = tx ? await writeAll(tx) : await db.transaction(writeAll);
      const push = async () => {
        for (const s of sent) await s.push();
      };
      if (!tx) await push();
      return { count: sent.length, push };
    },

    async list(userId: string, query: MessageListQuery) {
      const { items, total } = await repo.pageMessages(db, userId, Boolean(query.unread), { limit: query.pageSize, offset: (query.page - 1) * query.pageSize });
      return { items, total, page: query.page, pageSize: query.pageSize, unreadCount: await unreadCount(userId) };
    },

    /**
     * Marks one of the caller's own messages read; another user's message is NOT_FOUND. The user's
     * sockets get the new count through the outbox (delivered at once after commit, or by the worker).
     */
    async markRead(userId: string, messageId: string) {
      if (!z.uuid().safeParse(messageId).success) throw new AppError('NOT_FOUND', '消息不存在');
      const { n, jobId } = await db.transaction(async (tx) => {
        if (!(await repo.markRead(tx, userId, messageId))) throw new AppError('NOT_FOUND', '消息不存在');
        return { n: await unreadCount(userId, tx), jobId: (await enqueueUnreadCount(tx, userId)).id };
      });
      await jobs.runNow(jobId);
      return { unreadCount: n };
    },

    /** Marks every message of the user read; the count reaches their sockets through the outbox, as in markRead. */
    async markAllRead(userId: string) {
      const jobId = await db.transaction(async (tx) => {
        await repo.markAllRead(tx, userId);
        return (await enqueueUnreadCount(tx, userId)).id;
      });
      await jobs.runNow(jobId);
      return { unreadCount: 0 };
    },
  };
}

export type MessageService = ReturnType<typeof createMessageService>;
