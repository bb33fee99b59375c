import type { Db, DbOrTx, Tx } from '../../db/client';
import { toFileView, type FileService } from '../files/files.service';
import type { MessageService } from '../notifications/messages.service';
import type { OrganisationService } from '../organisations/organisations.service';
import type { SettingsService } from '../settings/settings.service';
import { requireActor, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import type { JobQueue } from '../jobs/jobs.service';
import type { RequirementService } from '../tenders/requirements.service';
import type { StorefrontService } from '../tenders/storefronts.service';
import type { Ledger } from '../wallet/ledger.service';
import {
  AGREEMENT_STATUS_LABELS,
  allowedActions,
  amountDueFen,
  CASE_STATUS_LABELS,
  heldFen,
  MILESTONE_STATUS_LABELS,
  type MilestoneStatus,
} from './escrow.machine';
import { agreementStatusText } from './escrow.labels';
import * as repo from './escrow.repo';
import type { AgreementRow, MilestoneRow } from './escrow.repo';
import type { AgreementView } from './escrow.schema';

export interface EscrowDeps {
  db: Db;
  clock: Clock;
  ledger: Ledger;
  messages: MessageService;
  settings: SettingsService;
  files: FileService;
  /** Names and USCCs of the agreement's parties. */
  organisations: Pick<OrganisationService, 'partiesOf'>;
  jobs: JobQueue;
  /** The requirement behind an agreement: read or lock it, move it through its machine, refund its deposit. */
  requirements: Pick<RequirementService, 'row' | 'advance' | 'awardedWithoutAgreement' | 'titles' | 'refundDepositInFull'>;
  /** The provider's storefront shows its rating from enterprises' reviews. */
  storefronts: Pick<StorefrontService, 'setRating'>;
  winningPriceFen: (requirementId: string, providerId: string) => Promise<number | null>;
}

export type Side = 'enterprise' | 'provider';
/** A socket publish to run after the transaction commits. */
export type Push = () => Promise<void>;

/** Who is who on an agreement, the shared reads and the notices: what every escrow aggregate uses. */
export function createEscrowKernel(deps: EscrowDeps) {
  const { db, clock, messages, files } = deps;

  const sideOf = (actor: Actor, a: Pick<AgreementRow, 'enterpriseId' | 'providerId'>): Side | undefined => {
    const org = actor.organisation?.organisationId;
    return org === a.enterpriseId ? 'enterprise' : org === a.providerId ? 'provider' : undefined;
  };

  /** The agreement if the actor is one of its parties (or an operator reading); NOT_FOUND otherwise. */
  async function partyOf(actor: Actor | null, id: string, q: DbOrTx = db, lock = false) {
    const a = requireActor(actor);
    const ag = await repo.getAgreement(q, id, lock);
    const side = sideOf(a, ag);
    if (!side && !a.isOperator) throw new AppError('NOT_FOUND', '协议不存在');
    return { actor: a, ag, side };
  }

  function requireSide(side: Side | undefined, want: Side) {
    if (side === want) return;
    throw new AppError('FORBIDDEN', want === 'enterprise' ? '只有发布企业可以进行此操作' : '只有服务机构可以进行此操作');
  }

  async function notify(tx: Tx, orgId: string, title: string, body: string, link: string): Promise<Push> {
    return (await messages.sendToOrganisation(orgId, { title, body, link, category: 'trade' }, tx)).push;
  }
  const runAll = async (pushes: Push[]) => {
    for (const p of pushes) await p().catch(() => undefined);
  };

  async function logMilestone(tx: Tx, milestoneId: string, type: string, actorUserId: string | null, note?: string, attachmentIds: string[] = []) {
    await repo.insertMilestoneEvent(tx, { milestoneId, type, actorUserId, note: note ?? null, attachmentIds, createdAt: clock.now() });
  }

  async function setMilestone(tx: Tx, m: MilestoneRow, to: MilestoneStatus, patch: Parameters<typeof repo.moveMilestone>[3] = {}) {
    const row = await repo.moveMilestone(tx, m, to, patch);
    if (!row) throw new AppError('MILESTONE_CHANGED', '里程碑状态已变化，请刷新后重试');
    return row;
  }

  /** The agreement as its parties (and operators) see it: milestones with their timelines, escrow totals, cases, reviews. */
  async function agreementView(ag: AgreementRow, actor: Actor): Promise<AgreementView> {
    const [ms, versions, org, r, cases, term, myReviews] = await Promise.all([
      repo.milestonesOf(db, ag.id),
      repo.agreementVersionsOf(db, ag.id),
      deps.organisations.partiesOf([ag.enterpriseId, ag.providerId], db),
      deps.requirements.row(ag.requirementId),
      repo.casesOf(db, ag.id),
      repo.latestTermination(db, ag.id),
      repo.reviewsOfAgreement(db, ag.id),
    ]);
    const side = sideOf(actor, ag);
    const evs = await repo.milestoneEventsOf(
      db,
      ms.map((m) => m.id),
    );
    const attachments = ms.length
      ? await files.listAttached(
          db,
          'milestone',
          ms.map((m) => m.id),
        )
      : [];
    const openC = cases.find((c) => ['open', 'responded', 'escalated'].includes(c.status));
    const inEscrow = ms.reduce((s, m) => s + heldFen(m), 0);
    return {
      id: ag.id,
      agreementNo: ag.agreementNo,
      requirement: { id: r.id, requirementNo: r.requirementNo, title: r.title, state: r.state, depositStatus: r.depositStatus },
      enterprise: org.get(ag.enterpriseId) ?? { id: ag.enterpriseId, fullName: '', uscc: null },
      provider: org.get(ag.providerId) ?? { id: ag.providerId, fullName: '', uscc: null },
      side: side ?? ('operator' as const),
      status: ag.status,
      statusLabel: agreementStatusText(AGREEMENT_STATUS_LABELS[ag.status], { status: ag.status, completed: false, openCase: Boolean(openC) }),
      version: ag.version,
      scope: ag.scope,
      totalFen: ag.totalFen,
      startDate: ag.startDate,
      endDate: ag.endDate,
      paymentMode: ag.paymentMode as 'full_escrow' | 'instalments',
      releaseMode: ag.releaseMode,
      feeBp: ag.feeBp,
      returnComment: ag.returnComment,
      confirmedAt: ag.confirmedAt,
      contentSha256: ag.contentSha256,
      pdfUrl: ag.confirmedAt ? `/api/v1/agreements/${ag.id}/pdf` : null,
      completedAt: ag.completedAt,
      terminatedAt: ag.terminatedAt,
      escrow: {
        inEscrowFen: inEscrow,
        fundedFen: ms.reduce((s, m) => s + m.fundedFen, 0),
        releasedFen: ms.reduce((s, m) => s + m.releasedFen, 0),
        refundedFen: ms.reduce((s, m) => s + m.refundedFen, 0),
        held: Boolean(openC),
        nextToFundFen: ag.status === 'confirmed' && !ag.completedAt ? amountDueFen(ag.paymentMode as 'full_escrow' | 'instalments', ms) : 0,
      },
      milestones: ms.map((m) => ({
        id: m.id,
        seq: m.seq,
        title: m.title,
        deliverables: m.deliverables,
        amountFen: m.amountFen,
        dueDate: m.dueDate,
        status: m.status,
        statusLabel: MILESTONE_STATUS_LABELS[m.status],
        fundedFen: m.fundedFen,
        releasedFen: m.releasedFen,
        refundedFen: m.refundedFen,
        deliveredAt: m.deliveredAt,
        reminderDueAt: m.reminderDueAt,
        remindedAt: m.remindedAt,
        autoAcceptAt: m.autoAcceptAt,
        acceptedAt: m.acceptedAt,
        autoAccepted: m.autoAccepted === 1,
        releasedAt: m.releasedAt,
        timeline: evs
          .filter((e) => e.milestoneId === m.id)
          .map((e) => ({
            type: e.type,
            note: e.note,
            at: e.createdAt,
            attachments: attachments.filter((f) => e.attachmentIds.includes(f.id)).map(toFileView),
          })),
      })),
      versions: versions.map((v) => ({
        version: v.version,
        sentAt: v.sentAt,
        returnComment: v.returnComment,
        returnedAt: v.returnedAt,
        content: v.content as Record<string, unknown>,
      })),
      cases: cases.map((c) => ({
        id: c.id,
        caseNo: c.caseNo,
        status: c.status,
        statusLabel: CASE_STATUS_LABELS[c.status],
        reason: c.reason,
        createdAt: c.createdAt,
      })),
      openCaseId: openC?.id ?? null,
      termination: term ? { ...term, proposedBySide: term.proposedBySide as Side } : null,
      reviews: myReviews.map((x) => ({ ...x, byMe: x.reviewerOrgId === actor.organisation?.organisationId })),
      canReview: Boolean(ag.completedAt) && side !== undefined && !myReviews.some((x) => x.reviewerOrgId === actor.organisation?.organisationId),
      allowed: allowedActions({
        side,
        agreementStatus: ag.status,
        completedAt: ag.completedAt,
        now: clock.now(),
        caseOpen: Boolean(openC),
        pendingTerminationBy: term?.status === 'proposed' ? (term.proposedBySide as Side) : null,
      }),
    };
  }

  /** The agreement view for a party or an operator. */
  async function getAgreementView(actor: Actor | null, id: string): Promise<AgreementView> {
    const { actor: a, ag } = await partyOf(actor, id);
    return agreementView(ag, a);
  }

  return {
    deps,
    sideOf,
    partyOf,
    requireSide,
    notify,
    runAll,
    logMilestone,
    setMilestone,
    agreementView,
    getAgreementView,
    projectLink: (a: Pick<AgreementRow, 'id'>) => `/account/agreements/${a.id}`,
  };
}

export type EscrowKernel = ReturnType<typeof createEscrowKernel>;
