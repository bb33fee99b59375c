import { requireActor, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { parseInput } from '../shared/validate';
import { makeOrderNo } from '../wallet/recharge.machine';
import { contentSha256, renderAgreementPdf, TERMS_VERSION, type AgreementContent } from './agreement-document';
import { agreementTransition, AGREEMENT_STATUS_LABELS, amountDueFen, checkAgreementNumbers } from './escrow.machine';
import { agreementStatusText } from './escrow.labels';
import type { EscrowKernel, Push, Side } from './escrow.kernel';
import * as repo from './escrow.repo';
import type { AgreementRow, MilestoneRow } from './escrow.repo';
import {
  AgreementInput,
  AgreementListQuery,
  ReturnAgreementInput,
  type AgreementBasisView,
  type AgreementPageView,
  type AwaitingAgreementView,
} from './escrow.schema';
import { shanghaiDay } from './working-days';

/**
 * The agreement the selected provider drafts and the enterprise confirms (manual 五): drafts, versions
 * sent and returned, the confirmed content with its SHA-256 and the formal PDF, and the lists of
 * 交易提醒.
 */
export function createAgreementService(k: EscrowKernel) {
  const { db, clock, settings, winningPriceFen } = k.deps;

  const contentOf = (
    ag: AgreementRow,
    ms: MilestoneRow[],
    r: { requirementNo: string; title: string },
    org: Map<string, { fullName: string; uscc: string | null }>,
    confirmedOn: string,
  ): AgreementContent => ({
    agreementNo: ag.agreementNo,
    requirement: { requirementNo: r.requirementNo, title: r.title },
    enterprise: { fullName: org.get(ag.enterpriseId)?.fullName ?? '', uscc: org.get(ag.enterpriseId)?.uscc ?? null },
    provider: { fullName: org.get(ag.providerId)?.fullName ?? '', uscc: org.get(ag.providerId)?.uscc ?? null },
    scope: ag.scope,
    totalFen: ag.totalFen,
    startDate: ag.startDate,
    endDate: ag.endDate,
    paymentMode: ag.paymentMode as 'full_escrow' | 'instalments',
    releaseMode: ag.releaseMode,
    feeBp: ag.feeBp,
    milestones: ms.map((m) => ({ seq: m.seq, title: m.title, deliverables: m.deliverables, amountFen: m.amountFen, dueDate: m.dueDate })),
    confirmedOn,
    termsVersion: TERMS_VERSION,
  });

  const service = {
    /**
     * What the selected provider starts from: the requirement, the winning price (its last revised
     * price, or its proposal price), the payment mode and any agreement already drafted.
     */
    async draftBasis(actor: Actor | null, requirementId: string): Promise<AgreementBasisView> {
      const a = requireActor(actor);
      const r = await k.deps.requirements.row(requirementId);
      const org = a.organisation?.organisationId;
      if (!r.selectedProviderId || (org !== r.selectedProviderId && org !== r.organisationId)) throw new AppError('NOT_FOUND', '项目不存在');
      const existing = await repo.liveAgreementOf(db, r.id);
      return {
        requirement: { id: r.id, requirementNo: r.requirementNo, title: r.title, paymentMode: r.paymentMode, deliveryDate: r.deliveryDate, state: r.state },
        winningPriceFen: await winningPriceFen(r.id, r.selectedProviderId),
        agreementId: existing?.id ?? null,
      };
    },

    /**
     * 交易提醒 before any agreement exists: the organisation's awarded requirements that have no live
     * agreement yet (the provider is to draft one; the enterprise waits for it), newest first.
     */
    async awaitingAgreement(actor: Actor | null): Promise<AwaitingAgreementView[]> {
      const a = requireActor(actor);
      const org = a.organisation?.organisationId;
      if (!org) return [];
      const rows = await k.deps.requirements.awardedWithoutAgreement(org, 50);
      const org2 = await k.deps.organisations.partiesOf([...new Set(rows.flatMap((r) => [r.enterpriseId, r.providerId!]))], db);
      return rows.map((r) => {
        const side: Side = r.enterpriseId === org ? 'enterprise' : 'provider';
        return {
          requirementId: r.id,
          requirementNo: r.requirementNo,
          title: r.title,
          side,
          counterparty: org2.get(side === 'enterprise' ? r.providerId! : r.enterpriseId)?.fullName ?? '',
          deliveryDate: r.deliveryDate,
          todo: side === 'provider' ? '待起草协议' : '待服务机构起草协议',
          updatedAt: r.updatedAt,
        };
      });
    },

    /**
     * The selected provider saves the agreement draft (creating it the first time); while it is a
     * draft or returned it may change. Errors: FORBIDDEN (not the selected provider), AGREEMENT_NOT_EDITABLE
     * (already sent or confirmed), REQUIREMENT_NOT_AWARDED, VALIDATION (numbers; see checkAgreementNumbers).
     */
    async saveDraft(actor: Actor | null, requirementId: string, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(AgreementInput, raw);
      checkAgreementNumbers(input);
      const row = await db.transaction(async (tx) => {
        const r = await k.deps.requirements.row(requirementId, tx, 'update');
        if (a.organisation?.organisationId !== r.selectedProviderId) {
          if (a.organisation?.organisationId === r.organisationId) throw new AppError('FORBIDDEN', '协议由选中的服务机构起草');
          throw new AppError('NOT_FOUND', '项目不存在');
        }
        if (r.state !== 'awarded') throw new AppError('REQUIREMENT_NOT_AWARDED', '项目不在待实施阶段，不能起草协议');
        const existing = await repo.liveAgreementOf(tx, r.id, true);
        const values = {
          scope: input.scope,
          totalFen: input.totalFen,
          startDate: input.startDate,
          endDate: input.endDate,
          releaseMode: input.releaseMode,
          updatedAt: clock.now(),
        };
        let ag: AgreementRow;
        if (existing) {
          if (existing.status !== 'draft' && existing.status !== 'returned')
            throw new AppError('AGREEMENT_NOT_EDITABLE', `协议${AGREEMENT_STATUS_LABELS[existing.status]}，不能修改`);
          ag = await repo.updateAgreement(tx, existing.id, values);
        } else {
          ag = await repo.insertAgreement(tx, {
            ...values,
            agreementNo: makeOrderNo('HT', clock.now()),
            requirementId: r.id,
            enterpriseId: r.organisationId,
            providerId: r.selectedProviderId!,
            paymentMode: r.paymentMode,
            version: 0,
          });
        }
        await repo.replaceMilestones(
          tx,
          ag.id,
          input.milestones.map((m, i) => ({ seq: i + 1, title: m.title, deliverables: m.deliverables, amountFen: m.amountFen, dueDate: m.dueDate })),
        );
        return ag;
      });
      return k.agreementView(row, a);
    },

    /** The provider sends the draft (a new version) to the enterprise, which is told. */
    async send(actor: Actor | null, id: string) {
      let pushes: Push[] = [];
      const { actor: a, ag } = await db.transaction(async (tx) => {
        const { actor: a, ag, side } = await k.partyOf(actor, id, tx, true);
        k.requireSide(side, 'provider');
        const to = agreementTransition(ag.status, 'send');
        const ms = await repo.milestonesOf(tx, ag.id);
        checkAgreementNumbers({ ...ag, milestones: ms });
        const version = ag.version + 1;
        await repo.insertAgreementVersion(tx, {
          agreementId: ag.id,
          version,
          content: {
            scope: ag.scope,
            totalFen: ag.totalFen,
            startDate: ag.startDate,
            endDate: ag.endDate,
            releaseMode: ag.releaseMode,
            milestones: ms.map((m) => ({ seq: m.seq, title: m.title, deliverables: m.deliverables, amountFen: m.amountFen, dueDate: m.dueDate })),
          },
          sentBy: a.userId,
          sentAt: clock.now(),
        });
        const next = await repo.updateAgreement(tx, ag.id, { status: to, version, returnComment: null, updatedAt: clock.now() });
        pushes = [await k.notify(tx, ag.enterpriseId, '服务机构发来协议', `协议 ${ag.agreementNo}（第 ${version} 版）待您查看确认。`, k.projectLink(ag))];
        return { actor: a, ag: next };
      });
      await k.runAll(pushes);
      return k.agreementView(ag, a);
    },

    /** The enterprise returns the sent version with comments; the provider revises (versions are kept). */
    async returnAgreement(actor: Actor | null, id: string, raw: unknown) {
      const input = parseInput(ReturnAgreementInput, raw);
      let pushes: Push[] = [];
      const { actor: a, ag } = await db.transaction(async (tx) => {
        const { actor: a, ag, side } = await k.partyOf(actor, id, tx, true);
        k.requireSide(side, 'enterprise');
        const to = agreementTransition(ag.status, 'return');
        await repo.markVersionReturned(tx, ag.id, ag.version, input.comment, clock.now());
        const next = await repo.updateAgreement(tx, ag.id, { status: to, returnComment: input.comment, updatedAt: clock.now() });
        pushes = [await k.notify(tx, ag.providerId, '协议被退回修改', `协议 ${ag.agreementNo}：${input.comment}`, k.projectLink(ag))];
        return { actor: a, ag: next };
      });
      await k.runAll(pushes);
      return k.agreementView(ag, a);
    },

    /**
     * 生成正式协议书: the enterprise confirms the sent version. The content, its SHA-256 and the
     * platform fee are fixed; the PDF is made from them (now, or on first download if this machine
     * lacks a Chinese font) and never changes. `pdfOnDownload`: made on first download only (the demo
     * seed confirms many agreements at first start and leaves the seconds each PDF takes to their readers).
     */
    async confirm(actor: Actor | null, id: string, opts: { pdfOnDownload?: boolean } = {}) {
      const { feeBp } = await settings.get('escrow.fee');
      let pushes: Push[] = [];
      const {
        actor: a,
        ag,
        content,
      } = await db.transaction(async (tx) => {
        const { actor: a, ag, side } = await k.partyOf(actor, id, tx, true);
        k.requireSide(side, 'enterprise');
        const to = agreementTransition(ag.status, 'confirm');
        const ms = await repo.milestonesOf(tx, ag.id);
        const r = await k.deps.requirements.row(ag.requirementId, tx);
        const now = clock.now();
        const content = contentOf({ ...ag, feeBp }, ms, r, await k.deps.organisations.partiesOf([ag.enterpriseId, ag.providerId], tx), shanghaiDay(now));
        const next = await repo.updateAgreement(tx, ag.id, {
          status: to,
          feeBp,
          confirmedAt: now,
          confirmedBy: a.userId,
          contentSha256: contentSha256(content),
          updatedAt: now,
        });
        pushes = [
          await k.notify(
            tx,
            ag.providerId,
            '协议已生效',
            `企业已确认协议 ${ag.agreementNo}，正式协议书可在“我的协议”中下载。企业托管合同款后即可开始实施。`,
            k.projectLink(ag),
          ),
          await k.notify(tx, ag.enterpriseId, '正式协议书已生成', `协议 ${ag.agreementNo} 已生效，请托管合同款后开始实施。`, k.projectLink(ag)),
        ];
        return { actor: a, ag: next, content };
      });
      await k.runAll(pushes);
      // Best effort now; a missing font only delays the PDF until it can be made.
      if (!opts.pdfOnDownload)
        await renderAgreementPdf(content)
          .then((pdf) => repo.storePdfOnce(db, ag.id, pdf))
          .catch(() => undefined);
      return k.agreementView(ag, a);
    },

    /** The formal PDF for a party (or an operator). Made from the stored content if not made yet. */
    async pdf(actor: Actor | null, id: string) {
      const { ag } = await k.partyOf(actor, id);
      if (!ag.confirmedAt) throw new AppError('NOT_FOUND', '协议尚未生效，还没有正式协议书');
      if (ag.pdf) return { filename: `${ag.agreementNo}.pdf`, bytes: ag.pdf };
      const ms = await repo.milestonesOf(db, ag.id);
      const r = await k.deps.requirements.row(ag.requirementId);
      const content = contentOf(ag, ms, r, await k.deps.organisations.partiesOf([ag.enterpriseId, ag.providerId], db), shanghaiDay(ag.confirmedAt));
      if (contentSha256(content) !== ag.contentSha256) throw new AppError('INTERNAL', '协议内容与存档摘要不一致，请联系平台');
      const stored = await repo.storePdfOnce(db, ag.id, await renderAgreementPdf(content));
      return { filename: `${ag.agreementNo}.pdf`, bytes: stored! };
    },

    get: k.getAgreementView,

    /** 我的协议 (the manual's 交易提醒): the organisation's agreements, newest activity first, with what waits for it. */
    async listMine(actor: Actor | null, raw: unknown): Promise<AgreementPageView> {
      const a = requireActor(actor);
      const org = a.organisation?.organisationId;
      if (!org) throw new AppError('FORBIDDEN', '请先选择要代表的组织');
      const q = parseInput(AgreementListQuery, raw);
      const { rows, total } = await repo.agreementsOfOrganisation(db, org, { limit: q.pageSize, offset: (q.page - 1) * q.pageSize });
      const [org2, titles, ms, withCase] = await Promise.all([
        k.deps.organisations.partiesOf([...new Set(rows.flatMap((ag) => [ag.enterpriseId, ag.providerId]))], db),
        k.deps.requirements.titles([...new Set(rows.map((ag) => ag.requirementId))]),
        repo.milestonesOfAgreements(
          db,
          rows.map((ag) => ag.id),
        ),
        repo.agreementsWithOpenCase(
          db,
          rows.map((ag) => ag.id),
        ),
      ]);
      return {
        items: rows.map((ag) => {
          const side: Side = ag.enterpriseId === org ? 'enterprise' : 'provider';
          const mine = ms.filter((m) => m.agreementId === ag.id);
          const todo =
            side === 'enterprise'
              ? ag.status === 'sent'
                ? '待确认协议'
                : ag.status === 'confirmed' && mine.some((m) => m.status === 'delivered')
                  ? '待验收里程碑'
                  : ag.status === 'confirmed' && !ag.completedAt && amountDueFen(ag.paymentMode as 'full_escrow' | 'instalments', mine) > 0
                    ? '待托管合同款'
                    : null
              : ag.status === 'draft' || ag.status === 'returned'
                ? '待发送协议'
                : ag.status === 'confirmed' && mine.some((m) => m.status === 'funded')
                  ? '待提交交付'
                  : null;
          return {
            id: ag.id,
            agreementNo: ag.agreementNo,
            title: titles.get(ag.requirementId) ?? '',
            side,
            counterparty: org2.get(side === 'enterprise' ? ag.providerId : ag.enterpriseId)?.fullName ?? '',
            status: ag.status,
            statusLabel: agreementStatusText(AGREEMENT_STATUS_LABELS[ag.status], {
              status: ag.status,
              completed: Boolean(ag.completedAt),
              openCase: withCase.has(ag.id),
            }),
            totalFen: ag.totalFen,
            confirmedAt: ag.confirmedAt,
            pdfUrl: ag.confirmedAt ? `/api/v1/agreements/${ag.id}/pdf` : null,
            todo,
            updatedAt: ag.updatedAt,
          };
        }),
        total,
        page: q.page,
        pageSize: q.pageSize,
      };
    },

    /** Who may read a delivery or after-sales attachment: the agreement's parties and operators. */
    async canReadAttachment(actor: Actor | null, purpose: 'milestone' | 'after_sales', subjectId: string) {
      if (!actor) return false;
      if (actor.isOperator) return true;
      const agreementId = await repo.agreementIdOfSubject(db, purpose, subjectId);
      if (!agreementId) return false;
      const ag = await repo.getAgreement(db, agreementId);
      return Boolean(k.sideOf(actor, ag));
    },
  };
  return service;
}
