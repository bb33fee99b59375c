import { z } from 'zod';
import type { Db } from '../../db/client';
import type { FileService } from '../files/files.service';
import { toFileView } from '../files/files.service';
import { requireActor, requireOrganisation, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { parseInput } from '../shared/validate';
import { checkProposalWindow, REQUIREMENT_STATE_LABELS } from './requirements.machine';
import { PageQuery, ProposalInput } from './tenders.schema';
import * as repo from './tenders.repo';
import { countBidders, getRequirement, logEvent, type ProposalRow, type RequirementRow } from './tenders.repo';
import type { Publisher } from '../shared/publisher';
import { appendRoomEvents, publishRoomEvents, type RoomEvent } from '../rooms/room-log';

export interface ProposalDeps {
  db: Db;
  clock: Clock;
  files: FileService;
  publisher: Publisher;
  /**
   * Each bidder's price as it stands after the bidding room's closed rounds (the rooms context's
   * `currentPricesFen`); without it a proposal's price is its own.
   */
  currentPricesFen?: (requirementId: string) => Promise<Map<string, number>>;
}

export const PROPOSAL_STATUS_LABELS = { active: '有效', withdrawn: '已撤回', selected: '已中标', not_selected: '未中标' } as const;

/**
 * 标书 in competitive tenders. A provider has at most one live proposal per requirement; it may revise
 * or withdraw it until the opening time, after which proposals are frozen for the bidding room.
 * Sealed until opening: nobody but its author sees a proposal before then; after opening, the
 * requirement's owner (and operators) see them all. A provider never sees another's proposal.
 */
export function createProposalService({ db, clock, files, publisher, currentPricesFen = async () => new Map() }: ProposalDeps) {
  /** The waiting room shows how many providers bid: tell it when the number changes (no names). */
  async function bidderCountChanged(tx: Parameters<Parameters<Db['transaction']>[0]>[0], r: RequirementRow) {
    return appendRoomEvents(tx, r.id, [{ type: 'bidders:changed', audience: ['all'], payload: { bidderCount: await countBidders(tx, r.id) } }], clock.now());
  }

  async function view(p: ProposalRow, current?: Map<string, number>) {
    const org = await repo.findOrganisationName(db, p.providerId);
    const attachments = (await files.listAttached(db, 'proposal', [p.id])).map(toFileView);
    return {
      id: p.id,
      requirementId: p.requirementId,
      providerId: p.providerId,
      providerName: org?.fullName ?? '',
      priceFen: p.priceFen,
      /** The price as it stands (last revised price of a closed round, else the proposal price): the winning price when selected. */
      currentPriceFen: current?.get(p.providerId) ?? p.priceFen,
      plan: p.plan,
      timeline: p.timeline,
      status: p.status,
      statusLabel: PROPOSAL_STATUS_LABELS[p.status],
      revision: p.revision,
      round: p.round,
      attachments,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
    };
  }

  /** A requirement never approved is invisible to providers: NOT_FOUND, not its state. */
  const requirePublished = (r: { state: string }) => {
    if (r.state === 'draft' || r.state === 'pending_review' || r.state === 'rejected') throw new AppError('NOT_FOUND', '项目不存在');
  };

  const requireProvider = (actor: Actor | null) => {
    const a = requireActor(actor);
    return { a, org: requireOrganisation(a, ['provider']) };
  };

  /** The provider's own live proposal, locked. */
  async function ownLive(tx: Parameters<Parameters<Db['transaction']>[0]>[0], requirementId: string, providerId: string) {
    return repo.lockLiveProposal(tx, requirementId, providerId);
  }

  return {
    /**
     * 报名投标: submits the provider's proposal. Errors: CONFLICT (already has a live one: revise it),
     * PROPOSALS_FROZEN (opening time passed), REQUIREMENT_NOT_OPEN, NOT_COMPETITIVE, PROPOSAL_EXISTS.
     * The requirement row is share-locked so a concurrent withdrawal counts this bidder or refuses it.
     */
    async submit(actor: Actor | null, requirementId: string, raw: unknown) {
      const { a, org } = requireProvider(actor);
      const input = parseInput(ProposalInput, raw);
      let events: RoomEvent[] = [];
      const row = await db.transaction(async (tx) => {
        const r = await getRequirement(tx, requirementId, 'share');
        requirePublished(r);
        checkProposalWindow({ state: r.state, mode: r.mode, openingAt: r.openingAt, now: clock.now() });
        if (await ownLive(tx, r.id, org.organisationId)) throw new AppError('PROPOSAL_EXISTS', '您已提交过标书，可以修改或撤回');
        const p = await repo.insertProposal(tx, {
          requirementId: r.id,
          providerId: org.organisationId,
          submittedBy: a.userId,
          round: r.round,
          priceFen: input.priceFen,
          plan: input.plan,
          timeline: input.timeline,
        });
        if (!p) throw new AppError('PROPOSAL_EXISTS', '您已提交过标书，可以修改或撤回');
        await files.attach(tx, { fileIds: input.attachmentIds, organisationId: org.organisationId, purpose: 'proposal', subjectId: p.id });
        await logEvent(tx, r.id, a.userId, 'proposal_submit', { providerId: org.organisationId });
        events = await bidderCountChanged(tx, r);
        return p;
      });
      await publishRoomEvents(publisher, events);
      return view(row);
    },

    /** Revises the provider's live proposal before opening (a new revision number). */
    async revise(actor: Actor | null, requirementId: string, raw: unknown) {
      const { a, org } = requireProvider(actor);
      const input = parseInput(ProposalInput, raw);
      const row = await db.transaction(async (tx) => {
        const r = await getRequirement(tx, requirementId, 'share');
        requirePublished(r);
        checkProposalWindow({ state: r.state, mode: r.mode, openingAt: r.openingAt, now: clock.now() });
        const p = await ownLive(tx, r.id, org.organisationId);
        if (!p) throw new AppError('NOT_FOUND', '您还没有提交标书');
        const next = await repo.updateProposal(tx, p.id, {
          priceFen: input.priceFen,
          plan: input.plan,
          timeline: input.timeline,
          revision: p.revision + 1,
          submittedBy: a.userId,
          updatedAt: clock.now(),
        });
        await files.detachExcept(tx, 'proposal', p.id, input.attachmentIds);
        await files.attach(tx, { fileIds: input.attachmentIds, organisationId: org.organisationId, purpose: 'proposal', subjectId: p.id });
        return next!;
      });
      return view(row);
    },

    /** Withdraws the provider's live proposal before opening; it may submit a new one later. */
    async withdraw(actor: Actor | null, requirementId: string) {
      const { a, org } = requireProvider(actor);
      let events: RoomEvent[] = [];
      const row = await db.transaction(async (tx) => {
        const r = await getRequirement(tx, requirementId, 'share');
        requirePublished(r);
        checkProposalWindow({ state: r.state, mode: r.mode, openingAt: r.openingAt, now: clock.now() });
        const p = await ownLive(tx, r.id, org.organisationId);
        if (!p) throw new AppError('NOT_FOUND', '您还没有提交标书');
        const next = await repo.updateProposal(tx, p.id, { status: 'withdrawn', updatedAt: clock.now() });
        await logEvent(tx, r.id, a.userId, 'proposal_withdraw', { providerId: org.organisationId });
        events = await bidderCountChanged(tx, r);
        return next!;
      });
      await publishRoomEvents(publisher, events);
      return view(row);
    },

    /** The calling provider's own proposal on a requirement (its latest), or null. */
    async findMine(actor: Actor | null, requirementId: string) {
      const { org } = requireProvider(actor);
      if (!z.uuid().safeParse(requirementId).success) throw new AppError('NOT_FOUND', '项目不存在');
      const p = await repo.findLatestProposalOf(db, requirementId, org.organisationId);
      if (!p) return null;
      const r = await repo.findRequirement(db, requirementId);
      return view(p, r?.openingAt && clock.now() >= r.openingAt ? await currentPricesFen(requirementId) : undefined);
    },

    /**
     * Every proposal of a requirement, for its owner (from the opening time on) and operators.
     * Before opening the owner learns only the count. Anyone else: NOT_FOUND.
     */
    async listForRequirement(actor: Actor | null, requirementId: string) {
      const a = requireActor(actor);
      const r = await getRequirement(db, requirementId);
      const owner = a.organisation?.organisationId === r.organisationId;
      if (!owner && !a.isOperator) throw new AppError('NOT_FOUND', '项目不存在');
      if (r.mode !== 'competitive') return [];
      if (owner && (!r.openingAt || clock.now() < r.openingAt)) throw new AppError('FORBIDDEN', '开标前标书密封，开标后可以查看');
      const rows = await repo.liveProposalsOf(db, r.id);
      const current = await currentPricesFen(r.id);
      return Promise.all(rows.map((row) => view(row, current)));
    },

    /** 我的投标: the provider's proposals with their requirements' state and opening time. */
    async listMine(actor: Actor | null, raw: unknown) {
      const { org } = requireProvider(actor);
      const q = parseInput(PageQuery, raw);
      const { rows, total } = await repo.proposalsOfProvider(db, org.organisationId, q);
      const now = clock.now();
      // Only opened tenders have a bidding room; a provider sees its own current price only.
      const current = new Map(
        await Promise.all(
          rows.filter(({ r }) => r.openingAt && now >= r.openingAt).map(async ({ p, r }) => [p.id, (await currentPricesFen(r.id)).get(p.providerId)] as const),
        ),
      );
      return {
        items: rows.map(({ p, r }) => ({
          id: p.id,
          priceFen: p.priceFen,
          currentPriceFen: current.get(p.id) ?? p.priceFen,
          status: p.status,
          statusLabel: PROPOSAL_STATUS_LABELS[p.status],
          revision: p.revision,
          updatedAt: p.updatedAt,
          requirement: { ...r, stateLabel: REQUIREMENT_STATE_LABELS[r.state], opened: r.openingAt ? now >= r.openingAt : false },
          editable: p.status === 'active' && r.state === 'open' && !!r.openingAt && now < r.openingAt,
        })),
        total,
        page: q.page,
        pageSize: q.pageSize,
      };
    },

    /** Who may read a proposal's attachments: its author, the requirement's owner after opening, operators. */
    async canReadAttachment(actor: Actor | null, proposalId: string) {
      const p = await repo.findProposal(db, proposalId);
      if (!p || !actor) return false;
      if (actor.isOperator || actor.organisation?.organisationId === p.providerId) return true;
      const r = await getRequirement(db, p.requirementId);
      return actor.organisation?.organisationId === r.organisationId && !!r.openingAt && clock.now() >= r.openingAt;
    },
  };
}
export type ProposalService = ReturnType<typeof createProposalService>;
