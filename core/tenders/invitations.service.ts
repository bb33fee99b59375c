import { z } from 'zod';
import type { Db, DbOrTx } from '../../db/client';
import type { FileService } from '../files/files.service';
import { toFileView } from '../files/files.service';
import type { MessageService } from '../notifications/messages.service';
import { requireActor, requireOrganisation, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import type { Publisher } from '../shared/publisher';
import { parseInput } from '../shared/validate';
import { checkInvitationWindow, REQUIREMENT_STATE_LABELS } from './requirements.machine';
import { shanghaiDate } from './requirements.service';
import { InviteInput, NegotiationMessageInput, PageQuery, RespondInvitationInput } from './tenders.schema';
import { offlinePresence, type Presence } from '../shared/presence';
import type { RoomService } from '../rooms/rooms.service';
import { appendRoomEvents, publishRoomEvents, roomChannels, type RoomEvent } from '../rooms/room-log';
import * as repo from './invitations.repo';
import type { NegotiationMessageRow } from './invitations.repo';
import { findOrganisationName, getRequirement, invitableRequirements, logEvent, type InvitationRow, type RequirementRow } from './tenders.repo';

export interface InvitationDeps {
  /** Whether the recipient is watching the thread live (then no site message is needed). */
  presence?: () => Presence;
  db: Db;
  clock: Clock;
  messages: MessageService;
  files: FileService;
  publisher: Publisher;
  /** Read receipts go to the sender's side of the live chat through the room's outbox. */
  enqueueChatReceipt: RoomService['enqueueChatReceipt'];
}

export const INVITATION_STATUS_LABELS = {
  pending: '待回复',
  accepted: '已接受',
  declined: '已拒绝',
  selected: '已选中',
  dropped: '已放弃',
  cancelled: '已取消',
} as const;

type Push = () => Promise<void>;

/**
 * 邀标 and 洽谈: invitations from an enterprise to providers, their answers, the enterprise's choice,
 * and the negotiation thread per requirement and provider (the live chat of the rooms issue writes to
 * the same thread).
 */
export function createInvitationService({ db, clock, messages, files, publisher, enqueueChatReceipt, presence = () => offlinePresence }: InvitationDeps) {
  const orgName = async (id: string, q: DbOrTx = db) => (await findOrganisationName(q, id))?.fullName ?? '';

  async function view(i: InvitationRow, r?: Pick<RequirementRow, 'id' | 'title' | 'state' | 'requirementNo' | 'organisationId' | 'deliveryDate'>) {
    const req = r ?? (await getRequirement(db, i.requirementId));
    return {
      id: i.id,
      requirementId: i.requirementId,
      requirement: {
        id: req.id,
        title: req.title,
        requirementNo: req.requirementNo,
        state: req.state,
        stateLabel: REQUIREMENT_STATE_LABELS[req.state],
        deliveryDate: req.deliveryDate,
      },
      enterpriseId: req.organisationId,
      enterpriseName: await orgName(req.organisationId),
      providerId: i.providerId,
      providerName: await orgName(i.providerId),
      status: i.status,
      statusLabel: INVITATION_STATUS_LABELS[i.status],
      note: i.note,
      respondedAt: i.respondedAt,
      createdAt: i.createdAt,
    };
  }

  /** Locks the invitation; the caller must be its provider (`as: 'provider'`) or the requirement's owner. */
  async function lockInvitation(tx: Parameters<Parameters<Db['transaction']>[0]>[0], actor: Actor, id: string, as: 'provider' | 'owner') {
    if (!z.uuid().safeParse(id).success) throw new AppError('NOT_FOUND', '邀请不存在');
    const i = await repo.lockInvitation(tx, id);
    if (!i) throw new AppError('NOT_FOUND', '邀请不存在');
    const r = await getRequirement(tx, i.requirementId, as === 'owner' ? 'update' : 'share');
    const orgId = actor.organisation?.organisationId;
    if ((as === 'provider' && orgId !== i.providerId) || (as === 'owner' && orgId !== r.organisationId)) throw new AppError('NOT_FOUND', '邀请不存在');
    return { i, r };
  }

  /** The pair (requirement, provider) may negotiate: an invitation exists, or the provider bid. */
  async function threadAccess(actor: Actor, requirementId: string, providerId: string) {
    const r = await getRequirement(db, requirementId);
    const orgId = actor.organisation?.organisationId;
    if (orgId !== r.organisationId && orgId !== providerId) throw new AppError('NOT_FOUND', '会话不存在');
    if (!z.uuid().safeParse(providerId).success) throw new AppError('NOT_FOUND', '会话不存在');
    if (!(await repo.hasThread(db, r.id, providerId))) throw new AppError('NOT_FOUND', '会话不存在');
    return { r, side: orgId === r.organisationId ? ('enterprise' as const) : ('provider' as const) };
  }

  return {
    /**
     * 邀标: invites a provider to one of the enterprise's open invitation requirements, until its delivery
     * date. Inviting the same provider twice is ALREADY_INVITED. The provider's members get a site message.
     * `within` runs in the same transaction once the invitation is written (a consultation's system line).
     */
    async invite(
      actor: Actor | null,
      raw: unknown,
      within?: (tx: DbOrTx, made: { invitationId: string; requirementId: string; title: string }) => Promise<void>,
    ) {
      const a = requireActor(actor);
      const org = requireOrganisation(a, ['enterprise']);
      const input = parseInput(InviteInput, raw);
      let push: Push = async () => undefined;
      const row = await db.transaction(async (tx) => {
        const r = await getRequirement(tx, input.requirementId, 'share');
        if (r.organisationId !== org.organisationId) throw new AppError('NOT_FOUND', '项目不存在');
        checkInvitationWindow({ state: r.state, mode: r.mode, deliveryDate: r.deliveryDate, today: shanghaiDate(clock.now()) });
        const p = await repo.findOrganisation(tx, input.providerId);
        if (!p || p.kind !== 'provider' || p.status !== 'active') throw new AppError('VALIDATION', '服务机构不存在', { providerId: '服务机构不存在' });
        const i = await repo.insertInvitation(tx, { requirementId: r.id, providerId: p.id, invitedBy: a.userId, note: input.note });
        if (!i) throw new AppError('ALREADY_INVITED', '已邀请过该服务机构', { providerId: '已邀请过该服务机构' });
        await logEvent(tx, r.id, a.userId, 'invite', { providerId: p.id });
        // A caller's own record of the invitation (a consultation's system line) commits with it.
        await within?.(tx, { invitationId: i.id, requirementId: r.id, title: r.title });
        push = (
          await messages.sendToOrganisation(
            p.id,
            {
              title: '收到项目邀请',
              body: `${org.fullName} 邀请贵机构参与项目「${r.title}」${input.note ? `：${input.note}` : ''}。请在用户中心接受或拒绝。`,
              link: '/account/invitations',
              category: 'tender',
            },
            tx,
          )
        ).push;
        return { i, r };
      });
      await push();
      return view(row.i, row.r);
    },

    /** The provider accepts or declines a pending invitation; the enterprise is told by site message. */
    async respond(actor: Actor | null, id: string, raw: unknown) {
      const a = requireActor(actor);
      requireOrganisation(a, ['provider']);
      const input = parseInput(RespondInvitationInput, raw);
      let push: Push = async () => undefined;
      const row = await db.transaction(async (tx) => {
        const { i, r } = await lockInvitation(tx, a, id, 'provider');
        if (i.status !== 'pending') throw new AppError('INVITATION_CLOSED', `邀请${INVITATION_STATUS_LABELS[i.status]}，不能再回复`);
        if (r.state !== 'open') throw new AppError('REQUIREMENT_NOT_OPEN', `项目当前状态为「${REQUIREMENT_STATE_LABELS[r.state]}」，不能回复邀请`);
        const status = input.decision === 'accept' ? ('accepted' as const) : ('declined' as const);
        const next = await repo.updateInvitation(tx, i.id, { status, respondedAt: clock.now(), updatedAt: clock.now() });
        await logEvent(tx, r.id, a.userId, `invitation_${status}`, { providerId: i.providerId });
        const name = a.organisation!.fullName;
        push = (
          await messages.sendToOrganisation(
            r.organisationId,
            {
              title: status === 'accepted' ? '服务机构接受了邀请' : '服务机构拒绝了邀请',
              body: `${name} ${status === 'accepted' ? '接受' : '拒绝'}了您对项目「${r.title}」的邀请。${status === 'accepted' ? '现在可以与其洽谈。' : ''}`,
              link: `/account/projects/${r.id}`,
              category: 'tender',
            },
            tx,
          )
        ).push;
        return { i: next, r };
      });
      await push();
      return view(row.i, row.r);
    },

    /** 放弃: the enterprise drops an invited provider (pending or accepted); the provider is told. */
    async drop(actor: Actor | null, id: string) {
      const a = requireActor(actor);
      let push: Push = async () => undefined;
      const row = await db.transaction(async (tx) => {
        const { i, r } = await lockInvitation(tx, a, id, 'owner');
        if (i.status !== 'pending' && i.status !== 'accepted') throw new AppError('INVITATION_CLOSED', `邀请${INVITATION_STATUS_LABELS[i.status]}，不能放弃`);
        if (r.state !== 'open') throw new AppError('REQUIREMENT_NOT_OPEN', `项目当前状态为「${REQUIREMENT_STATE_LABELS[r.state]}」`);
        const next = await repo.updateInvitation(tx, i.id, { status: 'dropped', updatedAt: clock.now() });
        await logEvent(tx, r.id, a.userId, 'invitation_dropped', { providerId: i.providerId });
        push = (
          await messages.sendToOrganisation(
            i.providerId,
            {
              title: '项目邀请结果',
              body: `感谢贵机构对项目「${r.title}」的关注。发布企业决定不再与贵机构继续洽谈，期待今后合作。`,
              link: '/account/invitations',
              category: 'tender',
            },
            tx,
          )
        ).push;
        return { i: next, r };
      });
      await push();
      return view(row.i, row.r);
    },

    /** Invitations of one of the enterprise's requirements (已邀标), with each provider's answer. */
    async listForRequirement(actor: Actor | null, requirementId: string) {
      const a = requireActor(actor);
      const r = await getRequirement(db, requirementId);
      if (a.organisation?.organisationId !== r.organisationId && !a.isOperator) throw new AppError('NOT_FOUND', '项目不存在');
      const rows = await repo.invitationsOfRequirement(db, r.id);
      return Promise.all(rows.map((i) => view(i, r)));
    },

    /** The provider's invitations, newest first. */
    async listMine(actor: Actor | null, raw: unknown) {
      const a = requireActor(actor);
      const org = requireOrganisation(a, ['provider']);
      const q = parseInput(PageQuery, raw);
      const { rows, total } = await repo.invitationsOfProvider(db, org.organisationId, q);
      return { items: await Promise.all(rows.map((i) => view(i))), total, page: q.page, pageSize: q.pageSize };
    },

    /** The enterprise's open invitation requirements (for the "invite" picker). */
    async invitableRequirements(actor: Actor | null) {
      const a = requireActor(actor);
      const org = requireOrganisation(a, ['enterprise']);
      return invitableRequirements(db, org.organisationId, shanghaiDate(clock.now()));
    },

    /**
     * 洽谈 / 交谈: posts to the thread of (requirement, provider). Either side may write; a resent
     * message (same clientId) is stored once. The message is committed together with its room event
     * (live delivery and replay after a reconnect); the other side gets a site message unless it is
     * watching live. Returns the message and the room sequence number that announced it.
     */
    async postMessage(actor: Actor | null, requirementId: string, providerId: string, raw: unknown) {
      const a = requireActor(actor);
      const org = requireOrganisation(a);
      const input = parseInput(NegotiationMessageInput, raw);
      const { r, side } = await threadAccess(a, requirementId, providerId);
      const to = side === 'enterprise' ? providerId : r.organisationId;
      const online = await presence()
        .isWatched(side === 'enterprise' ? roomChannels.provider(r.id, providerId) : roomChannels.enterprise(r.id))
        .catch(() => false);
      let push: Push = async () => undefined;
      let events: RoomEvent[] = [];
      const { msg, seq } = await db.transaction(async (tx) => {
        if (input.clientId) {
          const dup = await repo.findMessageByClientId(tx, a.userId, input.clientId);
          if (dup) return { msg: dup, seq: null };
        }
        const m = await repo.insertMessage(tx, {
          requirementId: r.id,
          providerId,
          senderOrgId: org.organisationId,
          senderUserId: a.userId,
          body: input.body,
          attachmentIds: input.attachmentIds,
          clientId: input.clientId,
        });
        await files.attach(tx, { fileIds: input.attachmentIds, organisationId: org.organisationId, purpose: 'negotiation', subjectId: m.id });
        if (!online) {
          push = (
            await messages.sendToOrganisation(
              to,
              {
                title: `洽谈消息：${r.title}`,
                body: `${org.fullName}：${input.body.slice(0, 100) || '[附件]'}`,
                link: `/account/negotiations/${r.id}/${providerId}`,
                category: 'negotiation',
              },
              tx,
            )
          ).push;
        }
        const view = await this.messageView(m, tx);
        events = await appendRoomEvents(
          tx,
          r.id,
          [{ type: 'chat:message', audience: ['enterprise', `provider:${providerId}`], payload: JSON.parse(JSON.stringify(view)) }],
          clock.now(),
        );
        return { msg: m, seq: events[0]!.seq };
      });
      await push();
      await publishRoomEvents(publisher, events);
      return { ...(await this.messageView(msg)), seq };
    },

    async messageView(m: NegotiationMessageRow, q: DbOrTx = db) {
      const atts = m.attachmentIds.length ? (await files.listAttached(q, 'negotiation', [m.id])).map(toFileView) : [];
      return {
        id: m.id,
        requirementId: m.requirementId,
        providerId: m.providerId,
        senderOrgId: m.senderOrgId,
        senderName: await orgName(m.senderOrgId, q),
        body: m.body,
        attachments: atts,
        deliveredAt: m.deliveredAt,
        readAt: m.readAt,
        createdAt: m.createdAt,
      };
    },

    /** The thread, oldest first (paged from the newest); opening it marks the other side's messages read and sends the sender a read receipt. */
    async listThread(actor: Actor | null, requirementId: string, providerId: string, raw: unknown) {
      const a = requireActor(actor);
      const { r, side } = await threadAccess(a, requirementId, providerId);
      const q = parseInput(PageQuery, raw);
      const myOrg = side === 'enterprise' ? r.organisationId : providerId;
      const readAt = clock.now();
      // Opening the thread reads it: the sender's live chat shows 已读 without waiting for a reload.
      const deliver = await db.transaction(async (tx) => {
        const marked = await repo.markThreadRead(tx, { requirementId: r.id, providerId, readerOrgId: myOrg, now: readAt });
        if (!marked.length) return undefined;
        return enqueueChatReceipt(tx, {
          requirementId: r.id,
          providerId,
          kind: 'read',
          messageIds: marked,
          at: readAt.toISOString(),
          to: side === 'enterprise' ? 'provider' : 'enterprise',
        });
      });
      await deliver?.();
      const { rows, total } = await repo.threadPage(db, r.id, providerId, q);
      const items = await Promise.all(rows.reverse().map((m) => this.messageView(m)));
      return {
        requirement: { id: r.id, title: r.title, requirementNo: r.requirementNo, enterpriseName: await orgName(r.organisationId) },
        provider: { id: providerId, fullName: await orgName(providerId) },
        side,
        items,
        total,
        page: q.page,
        pageSize: q.pageSize,
      };
    },

    /** Who may read a negotiation attachment: either side of its thread. */
    async canReadAttachment(actor: Actor | null, messageId: string) {
      if (!actor) return false;
      const m = await repo.findMessage(db, messageId);
      if (!m) return false;
      if (actor.isOperator) return true;
      const r = await getRequirement(db, m.requirementId);
      return [r.organisationId, m.providerId].includes(actor.organisation?.organisationId ?? '');
    },
  };
}
export type InvitationService = ReturnType<typeof createInvitationService>;
