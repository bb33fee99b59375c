import { z } from 'zod';
import type { Db, DbOrTx } from '../../db/client';
import { OUTBOX_PREFIX, type JobQueue } from '../jobs/jobs.service';
import type { MessageService } from '../notifications/messages.service';
import { requireActor, requireOrganisation, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { offlinePresence, type Presence } from '../shared/presence';
import type { Publisher } from '../shared/publisher';
import type { RateLimiter, RateRule } from '../shared/rate-limit';
import { parseInput } from '../shared/validate';
import {
  ConsultationInviteInput,
  ConsultationMessageInput,
  ConsultationPageQuery,
  ConsultationReceiptInput,
  OpenConsultationInput,
  type ConsultationReceiptView,
  type ConsultationSide,
} from './consultations.schema';
import * as repo from './consultations.repo';
import type { InvitationService } from './invitations.service';

export interface ConsultationDeps {
  db: Db;
  clock: Clock;
  publisher: Publisher;
  jobs: JobQueue;
  messages: MessageService;
  rateLimiter: RateLimiter;
  /** 转为邀请 goes through the invitation service, so the provider sees the invitation as any other. */
  invitations: Pick<InvitationService, 'invite'>;
  /** Whether the recipient is watching the conversation live (then no site message is needed). */
  presence?: () => Presence;
}

/** The socket.io rooms of a consultation: each side's open conversation pages join theirs. */
export const consultationChannels = {
  side: (consultationId: string, side: ConsultationSide) => `consultation:${consultationId}:${side}`,
  both: (consultationId: string) => [`consultation:${consultationId}:enterprise`, `consultation:${consultationId}:provider`],
};

/** Posting in consultations: 20 messages a minute per person (the site messages it may cause stay few). */
export const CONSULTATION_MESSAGE_RULE: RateRule = { name: 'consultation_message_user', points: 20, durationSeconds: 60 };

/** The outbox topic of a consultation receipt's push to the sender's side (`outbox:consultation-receipt`). */
const RECEIPT_TOPIC = 'consultation-receipt';
type OutboxReceipt = ConsultationReceiptView & { to: ConsultationSide };

const other = (side: ConsultationSide): ConsultationSide => (side === 'enterprise' ? 'provider' : 'enterprise');

/**
 * 咨询: pre-sales conversations between an enterprise and a provider, opened from the provider's
 * storefront before any tender, one per pair (a unique constraint; opening again reopens it). The chat
 * is the negotiation threads' chat: messages are committed, then pushed live to both sides; the
 * recipient gets a site message when not watching; delivered and read receipts reach the sender
 * through the outbox. Only the two organisations may read or write (anyone else: NOT_FOUND). The
 * enterprise may turn it into an invitation to one of its open invitation requirements.
 */
export function createConsultationService(deps: ConsultationDeps) {
  const { db, clock, publisher, jobs, messages, rateLimiter, invitations, presence = () => offlinePresence } = deps;

  /** The consultation and the caller's side; NOT_FOUND for anyone else (no hint it exists). */
  async function access(actor: Actor | null, id: string, q: DbOrTx = db) {
    const a = requireActor(actor);
    if (!z.uuid().safeParse(id).success) throw new AppError('NOT_FOUND', '会话不存在');
    const c = await repo.findConsultation(q, id);
    const orgId = a.organisation?.organisationId;
    if (!c || !orgId || (orgId !== c.enterpriseId && orgId !== c.providerId)) throw new AppError('NOT_FOUND', '会话不存在');
    const side: ConsultationSide = orgId === c.enterpriseId ? 'enterprise' : 'provider';
    return { a, c, side, orgId };
  }

  async function view(c: repo.ConsultationRow, side: ConsultationSide, q: DbOrTx = db) {
    const names = await repo.organisationNames(q, [c.enterpriseId, c.providerId]);
    return {
      id: c.id,
      enterprise: { id: c.enterpriseId, fullName: names.get(c.enterpriseId) ?? '' },
      provider: { id: c.providerId, fullName: names.get(c.providerId) ?? '' },
      side,
      lastMessageAt: c.lastMessageAt,
      createdAt: c.createdAt,
    };
  }

  async function messageViews(rows: repo.ConsultationMessageRow[], q: DbOrTx = db) {
    const [names, titles] = await Promise.all([
      repo.organisationNames(
        q,
        rows.map((m) => m.senderOrgId),
      ),
      repo.requirementTitles(
        q,
        rows.flatMap((m) => (m.requirementId ? [m.requirementId] : [])),
      ),
    ]);
    return rows.map((m) => ({
      id: m.id,
      consultationId: m.consultationId,
      kind: m.kind,
      senderOrgId: m.senderOrgId,
      senderName: names.get(m.senderOrgId) ?? '',
      body: m.body,
      invitation:
        m.kind === 'invitation' && m.invitationId && m.requirementId
          ? { id: m.invitationId, requirementId: m.requirementId, title: titles.get(m.requirementId) ?? '' }
          : null,
      deliveredAt: m.deliveredAt,
      readAt: m.readAt,
      createdAt: m.createdAt,
    }));
  }

  /** Writes a receipt's outbox row in `q`; returns the push to run after commit (the job worker retries what it misses). */
  async function enqueueReceipt(q: DbOrTx, receipt: OutboxReceipt) {
    const job = await jobs.enqueue(q, RECEIPT_TOPIC, receipt, `${receipt.kind}:${receipt.messageIds[0]}`);
    return async () => void (await jobs.runNow(job.id));
  }

  // At least once: a receipt pushed twice carries the same ids and time; clients keep the first.
  jobs.on(`${OUTBOX_PREFIX}${RECEIPT_TOPIC}`, async (job) => {
    const { to, ...receipt } = job.payload as OutboxReceipt;
    await publisher.publish(consultationChannels.side(receipt.consultationId, to), 'consultation:receipt', receipt);
  });

  /** Marks the other side's messages delivered or read and tells the sender's side (after commit). */
  async function mark(consultationId: string, side: ConsultationSide, readerOrgId: string, kind: 'delivered' | 'read', messageIds?: string[]) {
    const now = clock.now();
    const { ids, deliver } = await db.transaction(async (tx) => {
      const ids = await repo.markMessages(tx, { consultationId, readerOrgId, kind, now, messageIds });
      if (!ids.length) return { ids };
      return { ids, deliver: await enqueueReceipt(tx, { consultationId, kind, messageIds: ids, at: now.toISOString(), to: other(side) }) };
    });
    await deliver?.();
    return ids;
  }

  const service = {
    /**
     * 咨询: the enterprise opens (or reopens) its conversation with a provider. One per pair, also when
     * two requests race: the unique pair keeps one row and both callers get it. Only an enterprise may
     * consult (a provider never consults itself or others: FORBIDDEN); an unknown or disabled
     * provider is NOT_FOUND.
     */
    async open(actor: Actor | null, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(OpenConsultationInput, raw);
      const org = a.organisation;
      if (!org || org.kind !== 'enterprise') throw new AppError('FORBIDDEN', '只有企业用户可以向服务机构咨询，请切换到企业组织后再试');
      if (org.organisationId === input.providerId) throw new AppError('FORBIDDEN', '不能向自己的机构咨询');
      const row = await db.transaction(async (tx) => {
        const p = await repo.findOrganisation(tx, input.providerId);
        if (!p || p.kind !== 'provider' || p.status !== 'active') throw new AppError('NOT_FOUND', '服务机构不存在或已停用');
        return repo.openConsultation(tx, { enterpriseId: org.organisationId, providerId: p.id, openedBy: a.userId });
      });
      return { ...(await view(row.row, 'enterprise')), created: row.created };
    },

    /** The caller's side of a consultation (socket rooms, typing); NOT_FOUND for anyone else. */
    async sideOf(actor: Actor | null, id: string): Promise<ConsultationSide> {
      return (await access(actor, id)).side;
    },

    /** The caller's organisation's consultations (either side), newest conversation first, with unread counts. */
    async listMine(actor: Actor | null, raw: unknown) {
      const a = requireActor(actor);
      const org = requireOrganisation(a, ['enterprise', 'provider']);
      const q = parseInput(ConsultationPageQuery, raw);
      const { rows, total, unreadTotal } = await repo.consultationsOf(db, org.organisationId, q);
      const names = await repo.organisationNames(
        db,
        rows.flatMap((c) => [c.enterpriseId, c.providerId]),
      );
      const items = rows.map((c) => {
        const side: ConsultationSide = c.enterpriseId === org.organisationId ? 'enterprise' : 'provider';
        return {
          id: c.id,
          enterprise: { id: c.enterpriseId, fullName: names.get(c.enterpriseId) ?? '' },
          provider: { id: c.providerId, fullName: names.get(c.providerId) ?? '' },
          side,
          counterpartName: names.get(side === 'enterprise' ? c.providerId : c.enterpriseId) ?? '',
          lastMessage: c.lastMessage ? c.lastMessage.slice(0, 80) : null,
          unreadCount: c.unreadCount,
          lastMessageAt: c.lastMessageAt,
          createdAt: c.createdAt,
        };
      });
      return { items, total, unreadTotal, page: q.page, pageSize: q.pageSize };
    },

    /**
     * The conversation, oldest first within the page (page 1 holds the newest). Opening it reads it:
     * the other side's unread messages are marked read and the sender's side gets a read receipt.
     */
    async thread(actor: Actor | null, id: string, raw: unknown) {
      const { c, side, orgId } = await access(actor, id);
      const q = parseInput(ConsultationPageQuery, raw);
      await mark(c.id, side, orgId, 'read');
      const { rows, total } = await repo.messagePage(db, c.id, q);
      return { consultation: await view(c, side), items: await messageViews(rows.reverse()), total, page: q.page, pageSize: q.pageSize };
    },

    /**
     * Posts a message (at most CONSULTATION_MESSAGE_RULE per person). A resent message (same clientId)
     * is stored once. Committed first; then both sides' open pages get it live, and the other side a
     * site message when nobody of it is watching the conversation.
     */
    async postMessage(actor: Actor | null, id: string, raw: unknown) {
      const { a, c, side, orgId } = await access(actor, id);
      const input = parseInput(ConsultationMessageInput, raw);
      if (input.clientId) {
        const dup = await repo.findMessageByClientId(db, a.userId, input.clientId);
        if (dup) {
          if (dup.consultationId !== c.id) throw new AppError('VALIDATION', '消息编号已被使用', { clientId: '消息编号已被使用' });
          return (await messageViews([dup]))[0]!;
        }
      }
      await rateLimiter.consume(CONSULTATION_MESSAGE_RULE, a.userId, '发送太频繁，请稍后再试');
      const to = side === 'enterprise' ? c.providerId : c.enterpriseId;
      const online = await presence()
        .isWatched(consultationChannels.side(c.id, other(side)))
        .catch(() => false);
      let push = async () => undefined as void;
      const row = await db.transaction(async (tx) => {
        const m = await repo.insertMessage(tx, {
          consultationId: c.id,
          senderOrgId: orgId,
          senderUserId: a.userId,
          body: input.body,
          clientId: input.clientId,
        });
        // A resend racing its first copy: the unique (sender, clientId) kept the first; this one reads it.
        if (!m) return (await repo.findMessageByClientId(tx, a.userId, input.clientId!))!;
        await repo.touchConsultation(tx, c.id, m.createdAt);
        if (!online) {
          const names = await repo.organisationNames(tx, [orgId]);
          push = (
            await messages.sendToOrganisation(
              to,
              {
                title: side === 'enterprise' ? '收到新的咨询消息' : '服务机构回复了您的咨询',
                body: `${names.get(orgId) ?? ''}：${input.body.slice(0, 100)}`,
                link: `/account/consultations/${c.id}`,
                category: 'negotiation',
              },
              tx,
            )
          ).push;
        }
        return m;
      });
      await push();
      const [message] = await messageViews([row]);
      await publisher.publish(consultationChannels.both(c.id), 'consultation:message', message);
      return message!;
    },

    /** Receipts from the recipient's client (socket): the messages reached it, or were read; the sender's side is told. */
    async markMessages(actor: Actor | null, raw: unknown, kind: 'delivered' | 'read') {
      const input = parseInput(ConsultationReceiptInput, raw);
      const { c, side, orgId } = await access(actor, input.consultationId);
      return { ids: await mark(c.id, side, orgId, kind, input.messageIds) };
    },

    /**
     * 转为邀请: the consultation's enterprise invites its provider to one of its open invitation
     * requirements, through the invitation service (its rules and refusals hold: ALREADY_INVITED,
     * NOT_INVITATION_TENDER, REQUIREMENT_NOT_OPEN, DELIVERY_DATE_PASSED …). The conversation's system
     * line linking to the invitation commits with it. The provider side is FORBIDDEN.
     */
    async invite(actor: Actor | null, id: string, raw: unknown) {
      const { a, c, side, orgId } = await access(actor, id);
      if (side !== 'enterprise') throw new AppError('FORBIDDEN', '只有咨询的企业可以发出项目邀请');
      const input = parseInput(ConsultationInviteInput, raw);
      let line: repo.ConsultationMessageRow | undefined;
      const invitation = await invitations.invite(a, { requirementId: input.requirementId, providerId: c.providerId, note: input.note }, async (tx, made) => {
        line = await repo.insertMessage(tx, {
          consultationId: c.id,
          kind: 'invitation',
          senderOrgId: orgId,
          senderUserId: a.userId,
          body: `邀请贵机构参与项目「${made.title}」${input.note ? `：${input.note}` : ''}`,
          invitationId: made.invitationId,
          requirementId: made.requirementId,
        });
        await repo.touchConsultation(tx, c.id, line!.createdAt);
      });
      const [message] = await messageViews([line!]);
      await publisher.publish(consultationChannels.both(c.id), 'consultation:message', message);
      return { invitation, message: message! };
    },
  };
  return service;
}
