import type { Db, DbOrTx, Tx } from '../../db/client';
import type { FileService } from '../files/files.service';
import { toFileView } from '../files/files.service';
import type { MessageService } from '../notifications/messages.service';
import type { SettingsService } from '../settings/settings.service';
import { recordAudit } from '../audit/audit';
import { requireActor, requireOperator, requireOrganisation, type Actor } from '../shared/actor';
import { AppError, isAppError } from '../shared/app-error';
import { authorizeActing } from '../shared/access';
import type { Clock } from '../shared/clock';
import { formatFen } from '../shared/money';
import { regionName } from '../shared/regions';
import { richTextToPlain, sanitizeRichText } from '../shared/rich-text';
import { searchVector } from '../shared/search-text';
import { parseInput } from '../shared/validate';
import type { Ledger } from '../wallet/ledger.service';
import type { Publisher } from '../shared/publisher';
import { shanghaiDate, startOfShanghaiDay } from '../shared/time';
import { appendRoomEvents, findOpenRound, publishRoomEvents, type RoomEventInput } from '../rooms/room-log';
import { makeOrderNo } from '../wallet/recharge.machine';
import {
  canTransition,
  checkOpeningTime,
  decideAbandon,
  decideEnd,
  decideWithdrawal,
  projectGroupOf,
  REQUIREMENT_STATE_LABELS,
  statesOfGroup,
  transition,
  type RequirementEvent,
  type RequirementState,
} from './requirements.machine';
import {
  AdminRequirementQuery,
  HallQuery,
  MyProjectsQuery,
  RequirementInput,
  RetenderInput,
  ReviewRequirementInput,
  requirementFormIssues,
} from './tenders.schema';
import { cancelOpenInvitations, selectInvitation } from './invitations.repo';
import {
  activeBidderIds,
  adminRequirementsPage,
  awardedWithoutAgreement,
  bidderCounts,
  categories,
  closeActiveProposals,
  countBidders,
  countPublishedSince,
  deleteRequirement,
  eventsOf,
  findOrganisationName,
  getRequirement,
  hallPage,
  insertRequirement,
  isInvolved,
  logEvent,
  markDepositRefunded,
  requirementsOfOrganisation,
  requirementTitles,
  selectProposal,
  setState,
  updateDraft,
  type RequirementRow,
} from './tenders.repo';

export interface RequirementDeps {
  db: Db;
  clock: Clock;
  ledger: Ledger;
  messages: MessageService;
  settings: SettingsService;
  files: FileService;
  publisher: Publisher;
}

/** States anyone may see in the hall and on a detail page. */
export const PUBLIC_STATES: RequirementState[] = ['open', 'awarded', 'in_progress', 'completed'];

/** "Today" in Asia/Shanghai as YYYY-MM-DD (kept as an export here for the invitations service). */
export { shanghaiDate };

type Push = () => Promise<void>;
const runAll = async (pushes: Push[]) => {
  for (const p of pushes) await p().catch(() => undefined);
};

/**
 * Requirements (发布需求), operator review, the project hall, and the tender's life until a provider is
 * selected. Every state change: lock the row, ask the machine, move money through the ledger, write
 * the event, all in one transaction; site messages are pushed after commit.
 */
export function createRequirementService(deps: RequirementDeps) {
  const { db, clock, ledger, messages, settings, files, publisher } = deps;

  /** Tells the bidding room (competitive requirements) in the same transaction; returns the publish for after commit. */
  async function roomEvents(tx: Tx, r: RequirementRow, events: RoomEventInput[]): Promise<Push> {
    if (r.mode !== 'competitive') return async () => undefined;
    const evs = await appendRoomEvents(tx, r.id, events, clock.now());
    return () => publishRoomEvents(publisher, evs);
  }

  /** Decisions that end or change the bidding room wait for an open second round to close. */
  async function refuseDuringRound(tx: Tx, r: RequirementRow) {
    if (await findOpenRound(tx, r.id)) throw new AppError('ROUND_IN_PROGRESS', '二次竞价进行中，请在本轮结束后再操作');
  }

  const cats = () => categories(db);

  async function checkCategory(code: string) {
    const c = (await cats()).names.get(code);
    if (!c || !c.parentCode) throw new AppError('VALIDATION', '请选择具体的服务类别', { categoryCode: '请选择具体的服务类别' });
    return c;
  }

  async function searchDoc(r: { title: string; descriptionText: string; categoryCode: string; regionCode: string; invoiceName: string }) {
    const c = (await cats()).names.get(r.categoryCode);
    return searchVector({ a: r.title, b: [r.descriptionText, c?.name, c?.parentName, regionName(r.regionCode), r.invoiceName].join(' ') });
  }

  const isOwner = (actor: Actor | null | undefined, r: RequirementRow) => actor?.organisation?.organisationId === r.organisationId;

  /** The enterprise that owns the requirement (its own member acting for it), else NOT_FOUND. */
  function requireOwner(actor: Actor | null, r: RequirementRow): Actor {
    const a = requireActor(actor);
    if (!isOwner(a, r)) throw new AppError('NOT_FOUND', '项目不存在');
    return a;
  }

  async function depositMove(tx: Tx, r: RequirementRow, kind: 'deposit_refund' | 'deposit_forfeit', amountFen: number) {
    if (amountFen <= 0) return;
    const wallet = await ledger.ensureWallet(tx, r.organisationId);
    await ledger.transfer(tx, {
      debitAccountId: await ledger.platformAccount('deposits'),
      creditAccountId: kind === 'deposit_refund' ? wallet.availableId : await ledger.platformAccount('revenue'),
      amountFen,
      kind,
      reference: `项目 ${r.requirementNo}`,
      idempotencyKey: `deposit:${kind === 'deposit_refund' ? 'refund' : 'forfeit'}:${r.id}:${r.depositSeq}`,
      metadata: { requirementId: r.id },
    });
  }

  /** Returns the held deposit (less a forfeit) inside `tx`; a no-op when none is held. */
  async function settleDeposit(tx: Tx, r: RequirementRow, forfeitFen: number, actorUserId: string | null = null, reason?: string) {
    if (r.depositStatus !== 'held') return { refundFen: 0, forfeitFen: 0, depositStatus: r.depositStatus };
    const forfeit = Math.min(forfeitFen, r.depositFen);
    await depositMove(tx, r, 'deposit_forfeit', forfeit);
    await depositMove(tx, r, 'deposit_refund', r.depositFen - forfeit);
    await recordAudit(tx, {
      actorUserId,
      action: forfeit > 0 ? 'tenders.deposit_forfeited' : 'tenders.deposit_refunded',
      targetType: 'requirement',
      targetId: r.requirementNo,
      organisationId: r.organisationId,
      before: { depositStatus: r.depositStatus, depositFen: r.depositFen },
      after: { depositStatus: forfeit > 0 ? 'partly_refunded' : 'refunded', refundFen: r.depositFen - forfeit, forfeitFen: forfeit },
      reason: reason ?? null,
    });
    return { refundFen: r.depositFen - forfeit, forfeitFen: forfeit, depositStatus: forfeit > 0 ? ('partly_refunded' as const) : ('refunded' as const) };
  }

  /** Closes every live proposal and open invitation of a requirement that leaves the market; returns who bid. */
  async function closeBids(tx: Tx, r: RequirementRow, except?: string) {
    const bidders = await activeBidderIds(tx, r.id);
    await closeActiveProposals(tx, r.id, clock.now(), except);
    const invited = await cancelOpenInvitations(tx, r.id, clock.now(), except);
    return [...new Set([...bidders, ...invited])].filter((id) => id !== except);
  }

  async function notifyProviders(tx: Tx, providerIds: string[], msg: { title: string; body: string; link?: string }) {
    const pushes: Push[] = [];
    for (const id of providerIds) pushes.push((await messages.sendToOrganisation(id, { ...msg, category: 'tender' }, tx)).push);
    return pushes;
  }

  const link = (r: RequirementRow) => `/projects/${r.id}`;
  const ownerLink = (r: RequirementRow) => `/account/projects/${r.id}`;

  async function toView(r: RequirementRow, opts: { actor?: Actor | null; bidders?: number; full?: boolean } = {}) {
    const c = (await cats()).names.get(r.categoryCode);
    const org = await findOrganisationName(db, r.organisationId);
    const owner = isOwner(opts.actor, r) || Boolean(opts.actor?.isOperator);
    const now = clock.now();
    const bidderCount = opts.bidders ?? (await countBidders(db, r.id));
    const attachments = opts.full ? (await files.listAttached(db, 'requirement', [r.id])).map(toFileView) : undefined;
    return {
      id: r.id,
      requirementNo: r.requirementNo,
      title: r.title,
      categoryCode: r.categoryCode,
      categoryName: c?.name ?? r.categoryCode,
      parentCategoryName: c?.parentName ?? null,
      budgetMinFen: r.budgetMinFen,
      budgetMaxFen: r.budgetMaxFen,
      deliveryDate: r.deliveryDate,
      regionCode: r.regionCode,
      regionName: regionName(r.regionCode),
      mode: r.mode,
      paymentMode: r.paymentMode,
      openingAt: r.openingAt,
      opened: r.openingAt ? now.getTime() >= r.openingAt.getTime() : false,
      minBidders: r.minBidders,
      state: r.state,
      stateLabel: REQUIREMENT_STATE_LABELS[r.state],
      group: projectGroupOf(r.state, r.mode),
      round: r.round,
      bidderCount,
      organisation: { id: r.organisationId, fullName: org?.fullName ?? '' },
      excerpt: r.descriptionText.slice(0, 140),
      createdAt: r.createdAt,
      submittedAt: r.submittedAt,
      ...(opts.full ? { descriptionHtml: r.descriptionHtml, attachments } : {}),
      ...(owner
        ? {
            invoiceName: r.invoiceName,
            depositFen: r.depositFen,
            depositStatus: r.depositStatus,
            rejectReason: r.rejectReason,
            selectedProviderId: r.selectedProviderId,
            actions: ownerActions(r, bidderCount, now),
          }
        : {}),
    };
  }

  /** What the owner can do now (the pages show these buttons; the service checks again). */
  function ownerActions(r: RequirementRow, bidders: number, now: Date): string[] {
    const opened = r.openingAt ? now.getTime() >= r.openingAt.getTime() : false;
    const can = (e: RequirementEvent) => canTransition(r.state, e, r.mode);
    const out: string[] = [];
    if (r.state === 'draft' || r.state === 'rejected') out.push('edit', 'submit', 'discard');
    if (can('withdraw') && !opened) out.push('withdraw');
    if (can('abandon') && opened) out.push('abandon');
    if (can('select') && (r.mode === 'invitation' || opened)) out.push('select');
    if (can('retender')) out.push('retender');
    if (can('end')) out.push('end');
    if (can('delete')) out.push('delete', 'invite');
    if (r.state === 'open' && r.mode === 'competitive' && opened && bidders < (r.minBidders ?? 1)) out.push('abandon_free');
    return out;
  }

  async function writeDraft(tx: Tx, a: Actor, orgId: string, input: ReturnType<typeof RequirementInput.parse>, existing?: RequirementRow) {
    const descriptionHtml = sanitizeRichText(input.descriptionHtml);
    const descriptionText = richTextToPlain(descriptionHtml);
    const issues = requirementFormIssues({ descriptionText });
    if (Object.keys(issues).length) throw new AppError('VALIDATION', '请检查填写的内容', issues);
    const values = {
      invoiceName: input.invoiceName,
      title: input.title,
      categoryCode: input.categoryCode,
      descriptionHtml,
      descriptionText,
      budgetMinFen: input.budgetMinFen,
      budgetMaxFen: input.budgetMaxFen,
      deliveryDate: input.deliveryDate,
      regionCode: input.regionCode,
      mode: input.mode,
      paymentMode: input.paymentMode,
      openingAt: input.openingAt,
      minBidders: input.minBidders,
    };
    const searchVectorSql = await searchDoc(values);
    let row: RequirementRow;
    if (existing) {
      const updated = await updateDraft(tx, existing.id, { ...values, searchVector: searchVectorSql, updatedAt: clock.now() });
      if (!updated) throw new AppError('REQUIREMENT_NOT_EDITABLE', '只有草稿或未通过审核的项目可以修改');
      row = updated;
    } else {
      row = await insertRequirement(tx, {
        ...values,
        requirementNo: makeOrderNo('XQ', clock.now()),
        organisationId: orgId,
        createdBy: a.userId,
        searchVector: searchVectorSql,
      });
    }
    await files.detachExcept(tx, 'requirement', row.id, input.attachmentIds);
    await files.attach(tx, { fileIds: input.attachmentIds, organisationId: orgId, purpose: 'requirement', subjectId: row.id });
    return row;
  }

  const service = {
    /** The two-level service category tree. */
    async categoryTree() {
      return (await cats()).tree;
    },

    /** Creates a draft (or updates one of the enterprise's own drafts). The form is validated in full. */
    async saveDraft(actor: Actor | null, raw: unknown, id?: string) {
      const a = requireActor(actor);
      const org = requireOrganisation(a, ['enterprise']);
      const input = parseInput(RequirementInput, raw);
      await checkCategory(input.categoryCode);
      if (input.deliveryDate < shanghaiDate(clock.now())) throw new AppError('VALIDATION', '请检查填写的内容', { deliveryDate: '交付日期不能早于今天' });
      const row = await db.transaction(async (tx) => {
        const existing = id ? await getRequirement(tx, id, 'update') : undefined;
        if (existing) requireOwner(a, existing);
        return writeDraft(tx, a, org.organisationId, input, existing);
      });
      return toView(row, { actor: a, full: true });
    },

    /** Deletes a draft that was never published. */
    async discardDraft(actor: Actor | null, id: string) {
      const a = requireActor(actor);
      await db.transaction(async (tx) => {
        const r = await getRequirement(tx, id, 'update');
        requireOwner(a, r);
        if (r.state !== 'draft' || r.depositSeq > 0) throw new AppError('REQUIREMENT_NOT_DELETABLE', '只有未发布过的草稿可以删除');
        await files.detachExcept(tx, 'requirement', r.id, []);
        await deleteRequirement(tx, r.id);
      });
      return { deleted: true };
    },

    /**
     * 发布需求: pays the deposit from the wallet into the platform's deposits account and sends the
     * requirement to review. Errors: INSUFFICIENT_FUNDS (nothing changes; the draft stays), VALIDATION
     * (opening time no longer 24 h ahead), INVALID_TRANSITION.
     */
    async submit(actor: Actor | null, id: string) {
      const a = requireActor(actor);
      // The deposit leaves the enterprise's wallet: only the roles that may pay for it.
      authorizeActing(a, 'payments.make', ['enterprise']);
      const { depositFen } = await settings.depositSettings();
      const row = await db
        .transaction(async (tx) => {
          const r = await getRequirement(tx, id, 'update');
          requireOwner(a, r);
          const to = transition(r.state, 'submit', r.mode);
          const now = clock.now();
          if (r.mode === 'competitive') checkOpeningTime(r.openingAt!, now);
          if (r.deliveryDate < shanghaiDate(now)) throw new AppError('VALIDATION', '交付日期已过，请修改', { deliveryDate: '交付日期不能早于今天' });
          const seq = r.depositSeq + 1;
          const wallet = await ledger.ensureWallet(tx, r.organisationId);
          await ledger.transfer(tx, {
            debitAccountId: wallet.availableId,
            creditAccountId: await ledger.platformAccount('deposits'),
            amountFen: depositFen,
            kind: 'deposit_pay',
            reference: `项目 ${r.requirementNo}`,
            idempotencyKey: `deposit:pay:${r.id}:${seq}`,
            metadata: { requirementId: r.id },
          });
          await recordAudit(tx, {
            actorUserId: a.userId,
            action: 'tenders.deposit_paid',
            targetType: 'requirement',
            targetId: r.requirementNo,
            organisationId: r.organisationId,
            before: { depositStatus: r.depositStatus },
            after: { depositStatus: 'held', depositFen },
          });
          return setState(
            tx,
            r,
            to,
            'submit',
            a.userId,
            { depositFen, depositStatus: 'held', depositSeq: seq, submittedAt: now, rejectReason: null },
            { depositFen },
          );
        })
        .catch(async (e: unknown) => {
          // The failed transfer aborted the transaction: read the balance after it rolled back.
          if (!isAppError(e) || e.code !== 'INSUFFICIENT_FUNDS' || !a.organisation) throw e;
          const { availableFen } = await ledger.walletBalances(db, a.organisation.organisationId);
          const msg = `钱包可用余额 ${formatFen(availableFen)}，缴纳保证金 ${formatFen(depositFen)} 还差 ${formatFen(depositFen - availableFen)}，请先充值`;
          throw new AppError('INSUFFICIENT_FUNDS', msg, { deposit: msg });
        });
      return toView(row, { actor: a, full: true });
    },

    /** Operator review: approve → listed in the hall; reject (reason) → deposit refunded in full. */
    async review(actor: Actor | null, id: string, raw: unknown) {
      const a = requireOperator(actor);
      const input = parseInput(ReviewRequirementInput, raw);
      let pushes: Push[] = [];
      const row = await db.transaction(async (tx) => {
        const r = await getRequirement(tx, id, 'update');
        const now = clock.now();
        if (input.decision === 'approve') {
          const to = transition(r.state, 'approve', r.mode);
          if (r.mode === 'competitive' && r.openingAt!.getTime() - now.getTime() < 3_600_000) {
            throw new AppError('OPENING_TOO_SOON', '距开标不足 1 小时，不能通过审核；请驳回并请企业修改开标时间');
          }
          const next = await setState(tx, r, to, 'approve', a.userId, { reviewedBy: a.userId, reviewedAt: now });
          await recordAudit(tx, {
            actorUserId: a.userId,
            action: 'tenders.requirement_approved',
            targetType: 'requirement',
            targetId: r.requirementNo,
            organisationId: r.organisationId,
            before: { state: r.state },
            after: { state: to },
          });
          const m = await messages.sendToOrganisation(
            r.organisationId,
            { title: '需求已通过审核', body: `您发布的需求「${r.title}」已通过审核，已在项目大厅公布。`, link: ownerLink(r), category: 'tender' },
            tx,
          );
          pushes = [m.push];
          return next;
        }
        const to = transition(r.state, 'reject', r.mode);
        const settled = await settleDeposit(tx, r, 0, a.userId, `审核驳回：${input.reason}`);
        await recordAudit(tx, {
          actorUserId: a.userId,
          action: 'tenders.requirement_rejected',
          targetType: 'requirement',
          targetId: r.requirementNo,
          organisationId: r.organisationId,
          before: { state: r.state },
          after: { state: to, refundFen: settled.refundFen },
          reason: input.reason,
        });
        const next = await setState(
          tx,
          r,
          to,
          'reject',
          a.userId,
          { reviewedBy: a.userId, reviewedAt: now, rejectReason: input.reason, depositStatus: settled.depositStatus },
          { reason: input.reason, refundFen: settled.refundFen },
        );
        const m = await messages.sendToOrganisation(
          r.organisationId,
          {
            title: '需求未通过审核',
            body: `您发布的需求「${r.title}」未通过审核：${input.reason}。保证金 ${formatFen(settled.refundFen)} 已全额退回钱包，修改后可重新发布。`,
            link: ownerLink(r),
            category: 'tender',
          },
          tx,
        );
        pushes = [m.push];
        return next;
      });
      await runAll(pushes);
      return toView(row, { actor: a, full: true });
    },

    /**
     * 撤销本项目 (competitive, before opening): no bidders → full refund; with bidders the forfeit
     * depends on the time left (decideWithdrawal). The requirement leaves the hall; bidders are told.
     */
    async withdraw(actor: Actor | null, id: string) {
      const a = requireActor(actor);
      let pushes: Push[] = [];
      const result = await db.transaction(async (tx) => {
        const r = await getRequirement(tx, id, 'update');
        requireOwner(a, r);
        const to = transition(r.state, 'withdraw', r.mode);
        const bidders = await countBidders(tx, r.id);
        const s = await settings.depositSettings(tx);
        const decision = decideWithdrawal({
          depositFen: r.depositStatus === 'held' ? r.depositFen : 0,
          bidders,
          openingAt: r.openingAt!,
          now: clock.now(),
          settings: s,
        });
        const settled = await settleDeposit(tx, r, decision.forfeitFen, a.userId, `撤销项目（${bidders} 家已报名）`);
        const told = await closeBids(tx, r);
        const next = await setState(tx, r, to, 'withdraw', a.userId, { depositStatus: settled.depositStatus, closedAt: clock.now() }, { bidders, ...decision });
        pushes = await notifyProviders(tx, told, { title: '项目已撤销', body: `您投标的项目「${r.title}」已被发布企业撤销，感谢您的参与。`, link: link(r) });
        pushes.push(await roomEvents(tx, r, [{ type: 'room:withdrawn', audience: ['all'], payload: {} }]));
        pushes.push(
          (
            await messages.sendToOrganisation(
              r.organisationId,
              {
                title: '项目已撤销',
                body: `项目「${r.title}」已撤销。退回保证金 ${formatFen(settled.refundFen)}${settled.forfeitFen ? `，扣除 ${formatFen(settled.forfeitFen)}` : ''}。`,
                link: ownerLink(r),
                category: 'tender',
              },
              tx,
            )
          ).push,
        );
        return { row: next, ...decision, refundFen: settled.refundFen, forfeitFen: settled.forfeitFen };
      });
      await runAll(pushes);
      return { requirement: await toView(result.row, { actor: a }), refundFen: result.refundFen, forfeitFen: result.forfeitFen };
    },

    /** 放弃本次招标 (competitive, at or after opening). Free when fewer than the minimum bid. */
    async abandon(actor: Actor | null, id: string) {
      const a = requireActor(actor);
      let pushes: Push[] = [];
      const row = await db.transaction(async (tx) => {
        const r = await getRequirement(tx, id, 'update');
        requireOwner(a, r);
        const to = transition(r.state, 'abandon', r.mode);
        await refuseDuringRound(tx, r);
        const bidders = await activeBidderIds(tx, r.id);
        const { free } = decideAbandon({ bidders: bidders.length, minBidders: r.minBidders ?? 1, openingAt: r.openingAt!, now: clock.now() });
        const next = await setState(tx, r, to, 'abandon', a.userId, { abandonedFree: free ? 1 : 0 }, { bidders: bidders.length, free });
        pushes = await notifyProviders(tx, bidders, {
          title: '本次招标已放弃',
          body: `项目「${r.title}」的发布企业放弃了本次招标，可能会重新设定开标时间。`,
          link: link(r),
        });
        pushes.push(await roomEvents(tx, r, [{ type: 'room:abandoned', audience: ['all'], payload: { free } }]));
        return next;
      });
      await runAll(pushes);
      return toView(row, { actor: a });
    },

    /** 修改竞价时间: after an abandoned round, a new opening time (≥ 24 h ahead); the tender continues. */
    async retender(actor: Actor | null, id: string, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(RetenderInput, raw);
      let pushes: Push[] = [];
      const row = await db.transaction(async (tx) => {
        const r = await getRequirement(tx, id, 'update');
        requireOwner(a, r);
        const to = transition(r.state, 'retender', r.mode);
        checkOpeningTime(input.openingAt, clock.now());
        const next = await setState(
          tx,
          r,
          to,
          'retender',
          a.userId,
          { openingAt: input.openingAt, minBidders: input.minBidders ?? r.minBidders, round: r.round + 1, abandonedFree: null },
          { openingAt: input.openingAt.toISOString() },
        );
        pushes = await notifyProviders(tx, await activeBidderIds(tx, r.id), {
          title: '项目重新招标',
          body: `项目「${r.title}」重新设定了开标时间，您的标书仍然有效，开标前可以修改或撤回。`,
          link: link(r),
        });
        pushes.push(
          await roomEvents(tx, r, [
            { type: 'room:retendered', audience: ['all'], payload: { openingAt: input.openingAt.toISOString(), tenderRound: next.round } },
          ]),
        );
        return next;
      });
      await runAll(pushes);
      return toView(row, { actor: a });
    },

    /** 结束本项目 after an abandoned round: refund per the rules (free when the round was short of bidders). */
    async end(actor: Actor | null, id: string) {
      const a = requireActor(actor);
      let pushes: Push[] = [];
      const result = await db.transaction(async (tx) => {
        const r = await getRequirement(tx, id, 'update');
        requireOwner(a, r);
        const to = transition(r.state, 'end', r.mode);
        const bidders = await countBidders(tx, r.id);
        const s = await settings.depositSettings(tx);
        const decision = decideEnd({ depositFen: r.depositStatus === 'held' ? r.depositFen : 0, abandonedFree: r.abandonedFree === 1, bidders, settings: s });
        const settled = await settleDeposit(tx, r, decision.forfeitFen, a.userId, '流标后结束项目');
        const told = await closeBids(tx, r);
        const next = await setState(
          tx,
          r,
          to,
          'end',
          a.userId,
          { depositStatus: settled.depositStatus, closedAt: clock.now() },
          decision as unknown as Record<string, unknown>,
        );
        pushes = await notifyProviders(tx, told, { title: '项目已结束', body: `项目「${r.title}」已由发布企业结束，感谢您的参与。`, link: link(r) });
        return { row: next, refundFen: settled.refundFen, forfeitFen: settled.forfeitFen };
      });
      await runAll(pushes);
      return { requirement: await toView(result.row, { actor: a }), refundFen: result.refundFen, forfeitFen: result.forfeitFen };
    },

    /** 删除 an invitation project: the deposit comes back in full; invited providers are told. */
    async deleteInvitationProject(actor: Actor | null, id: string) {
      const a = requireActor(actor);
      let pushes: Push[] = [];
      const result = await db.transaction(async (tx) => {
        const r = await getRequirement(tx, id, 'update');
        requireOwner(a, r);
        const to = transition(r.state, 'delete', r.mode);
        const settled = await settleDeposit(tx, r, 0, a.userId, '删除邀标项目');
        const told = await closeBids(tx, r);
        const next = await setState(
          tx,
          r,
          to,
          'delete',
          a.userId,
          { depositStatus: settled.depositStatus, closedAt: clock.now() },
          { refundFen: settled.refundFen },
        );
        pushes = await notifyProviders(tx, told, { title: '邀标项目已撤销', body: `项目「${r.title}」已被发布企业撤销，邀请随之取消。`, link: link(r) });
        return { row: next, refundFen: settled.refundFen };
      });
      await runAll(pushes);
      return { requirement: await toView(result.row, { actor: a }), refundFen: result.refundFen, forfeitFen: 0 };
    },

    /**
     * 选中: the enterprise selects a provider. Competitive: at or after opening, one with a live proposal.
     * Invitation: one that accepted the invitation. The project moves to "to be implemented"; the
     * others are told politely.
     */
    async select(actor: Actor | null, id: string, providerId: string) {
      const a = requireActor(actor);
      let pushes: Push[] = [];
      const row = await db.transaction(async (tx) => {
        const r = await getRequirement(tx, id, 'update');
        requireOwner(a, r);
        const to = transition(r.state, 'select', r.mode);
        await refuseDuringRound(tx, r);
        if (r.mode === 'competitive') {
          if (!r.openingAt || clock.now() < r.openingAt) throw new AppError('OPENING_NOT_REACHED', '开标后才能选中服务机构');
          const p = await selectProposal(tx, r.id, providerId, clock.now());
          if (!p) throw new AppError('VALIDATION', '该服务机构没有有效的标书', { providerId: '该服务机构没有有效的标书' });
        } else {
          const inv = await selectInvitation(tx, r.id, providerId, clock.now());
          if (!inv) throw new AppError('VALIDATION', '只能选中已接受邀请的服务机构', { providerId: '只能选中已接受邀请的服务机构' });
        }
        const others = await closeBids(tx, r, providerId);
        const next = await setState(tx, r, to, 'select', a.userId, { selectedProviderId: providerId }, { providerId });
        pushes = await notifyProviders(tx, [providerId], {
          title: '恭喜，您已被选中',
          body: `项目「${r.title}」的发布企业选中了贵机构。下一步：起草协议，发给发布企业确认后开始服务。`,
          link: `/account/agreements/new?requirement=${r.id}`,
        });
        pushes.push(
          ...(await notifyProviders(tx, others, {
            title: '项目结果通知',
            body: `感谢贵机构对项目「${r.title}」的关注与投入。发布企业已选定其他服务机构，期待今后再有合作机会。`,
            link: link(r),
          })),
        );
        const chosen = await findOrganisationName(tx, providerId);
        pushes.push(
          await roomEvents(tx, r, [
            { type: 'room:selected', audience: ['enterprise'], payload: { providerId, providerName: chosen?.fullName ?? '' } },
            ...[providerId, ...others].map((pid): RoomEventInput => ({
              type: 'room:result',
              audience: [`provider:${pid}` as const],
              payload: { selected: pid === providerId },
            })),
          ]),
        );
        return next;
      });
      await runAll(pushes);
      return toView(row, { actor: a });
    },

    /**
     * Refunds a held deposit in full (the agreements issue calls this when escrow is funded). Idempotent:
     * a second call finds nothing held.
     */
    async refundDepositInFull(tx: Tx, requirementId: string) {
      const r = await getRequirement(tx, requirementId, 'update');
      const settled = await settleDeposit(tx, r, 0);
      if (settled.refundFen > 0) {
        await markDepositRefunded(tx, r.id, clock.now());
        await logEvent(tx, r.id, null, 'deposit_refund', { refundFen: settled.refundFen });
      }
      return settled.refundFen;
    },

    /**
     * The requirement's row for another context (escrow) inside the caller's transaction, locked
     * for a decision (`update`) or against one (`share`) when asked; NOT_FOUND if there is none.
     */
    async row(requirementId: string, q: DbOrTx = db, lock?: 'update' | 'share'): Promise<RequirementRow> {
      return getRequirement(q, requirementId, lock);
    },

    /**
     * Moves the requirement through the machine after its award (start, complete, terminate) in the
     * caller's transaction; the row should be locked by `row(id, tx, 'update')`. WRONG_REQUIREMENT_STATE
     * when the machine refuses, CONFLICT when the state moved meanwhile.
     */
    async advance(
      tx: DbOrTx,
      r: RequirementRow,
      event: Extract<RequirementEvent, 'start' | 'complete' | 'terminate'>,
      actorUserId: string | null,
      patch: Partial<Pick<RequirementRow, 'closedAt'>> = {},
      detail?: Record<string, unknown>,
    ): Promise<RequirementRow> {
      return setState(tx, r, transition(r.state, event, r.mode), event, actorUserId, patch, detail);
    },

    /** Awarded requirements where the organisation is either party and no live agreement exists yet, newest first. */
    async awardedWithoutAgreement(organisationId: string, limit: number, q: DbOrTx = db) {
      return awardedWithoutAgreement(q, organisationId, limit);
    },

    /** Titles of requirements by id. */
    async titles(ids: string[], q: DbOrTx = db): Promise<Map<string, string>> {
      return requirementTitles(q, ids);
    },

    /** A requirement as its viewer may see it: public states for anyone; others for the owner, operators and its bidders/invitees. */
    async get(actor: Actor | null, id: string) {
      const r = await getRequirement(db, id);
      if (!PUBLIC_STATES.includes(r.state) && !isOwner(actor, r) && !actor?.isOperator) {
        const orgId = actor?.organisation?.organisationId;
        const involved = orgId && (await isInvolved(db, r.id, orgId));
        if (!involved) throw new AppError('NOT_FOUND', '项目不存在');
      }
      return toView(r, { actor, full: true });
    },

    /** The owner's view for editing (drafts included). */
    async getOwn(actor: Actor | null, id: string) {
      const a = requireActor(actor);
      const r = await getRequirement(db, id);
      requireOwner(a, r);
      return { ...(await toView(r, { actor: a, full: true })), descriptionHtml: r.descriptionHtml };
    },

    /** The requirement's history (owner and operators). */
    async events(actor: Actor | null, id: string) {
      const a = requireActor(actor);
      const r = await getRequirement(db, id);
      if (!isOwner(a, r) && !a.isOperator) throw new AppError('NOT_FOUND', '项目不存在');
      return eventsOf(db, r.id);
    },

    /** 项目大厅: approved requirements, searchable (Chinese bigrams), filterable, sortable, paginated. */
    async hall(raw: unknown) {
      const q = parseInput(HallQuery, raw);
      const { rows, total } = await hallPage(db, q, PUBLIC_STATES, clock.now());
      const counts = await bidderCounts(
        db,
        rows.map((r) => r.id),
      );
      const items = await Promise.all(rows.map((r) => toView(r, { bidders: counts.get(r.id) ?? 0 })));
      return { items, total, page: q.page, pageSize: q.pageSize };
    },

    /** How many requirements were published (approved into the hall) since the 1st of this month, Shanghai time (public). */
    async countPublishedThisMonth() {
      return countPublishedSince(db, startOfShanghaiDay(`${shanghaiDate(clock.now()).slice(0, 7)}-01`));
    },

    /** 我的项目: the enterprise's own requirements, by group, with the count of each group. */
    async listMine(actor: Actor | null, raw: unknown) {
      const a = requireActor(actor);
      const org = requireOrganisation(a, ['enterprise']);
      const q = parseInput(MyProjectsQuery, raw);
      const { rows, total, groups: groupRows } = await requirementsOfOrganisation(db, org.organisationId, q.group ? statesOfGroup(q.group) : {}, q);
      const groups: Record<string, number> = {};
      for (const g of groupRows) {
        const k = projectGroupOf(g.state, g.mode);
        groups[k] = (groups[k] ?? 0) + Number(g.n);
      }
      const counts = await bidderCounts(
        db,
        rows.map((r) => r.id),
      );
      const items = await Promise.all(rows.map((r) => toView(r, { actor: a, bidders: counts.get(r.id) ?? 0 })));
      return { items, total, page: q.page, pageSize: q.pageSize, groups };
    },

    /** The operators' queue (pending review first) and search over every requirement. */
    async adminList(actor: Actor | null, raw: unknown) {
      const a = requireOperator(actor);
      const q = parseInput(AdminRequirementQuery, raw);
      const { rows, total } = await adminRequirementsPage(db, q);
      const counts = await bidderCounts(
        db,
        rows.map((r) => r.id),
      );
      const items = await Promise.all(rows.map((r) => toView(r, { actor: a, bidders: counts.get(r.id) ?? 0 })));
      return { items, total, page: q.page, pageSize: q.pageSize };
    },
  };
  return service;
}

export type RequirementService = ReturnType<typeof createRequirementService>;
