import type { Tx } from '../../db/client';
import { requireActor, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { parseInput } from '../shared/validate';
import type { EscrowKernel } from './escrow.kernel';
import * as repo from './escrow.repo';
import { ReplyInput, ReviewInput, type AgreementView, type ReviewSummaryView, type ReviewView } from './escrow.schema';

/** Reviews after completion (评价): each side rates the other once; the rated side replies once. */
export function createReviewService(k: EscrowKernel) {
  const { db, clock } = k.deps;

  /** The provider's storefront shows its average rating from enterprises. */
  async function refreshStorefrontRating(tx: Tx, providerId: string) {
    const agg = await repo.reviewAverages(tx, providerId);
    await k.deps.storefronts.setRating(providerId, { ratingAvg: agg.overall, ratingCount: agg.n, updatedAt: clock.now() }, tx);
  }

  return {
    /** After completion each side rates the other once (1–5 for quality, timeliness, communication). */
    async review(actor: Actor | null, agreementId: string, raw: unknown): Promise<AgreementView> {
      const input = parseInput(ReviewInput, raw);
      const a = await db.transaction(async (tx) => {
        const { actor: a, ag, side } = await k.partyOf(actor, agreementId, tx, true);
        if (!side) throw new AppError('FORBIDDEN', '只有协议双方可以评价');
        if (!ag.completedAt) throw new AppError('AGREEMENT_NOT_COMPLETED', '项目完成后才能评价');
        const reviewee = side === 'enterprise' ? ag.providerId : ag.enterpriseId;
        const row = await repo.insertReviewOnce(tx, {
          agreementId: ag.id,
          reviewerOrgId: a.organisation!.organisationId,
          revieweeOrgId: reviewee,
          reviewerUserId: a.userId,
          ...input,
          createdAt: clock.now(),
        });
        if (!row) throw new AppError('ALREADY_REVIEWED', '您已评价过该项目');
        if (side === 'enterprise') await refreshStorefrontRating(tx, reviewee);
        return a;
      });
      return k.getAgreementView(a, agreementId);
    },

    /** The rated side replies once to a review of it. */
    async reply(actor: Actor | null, reviewId: string, raw: unknown): Promise<ReviewView> {
      const a = requireActor(actor);
      const input = parseInput(ReplyInput, raw);
      const r = await repo.getReview(db, reviewId);
      if (!r || r.revieweeOrgId !== a.organisation?.organisationId) throw new AppError('NOT_FOUND', '评价不存在');
      const row = await repo.replyOnce(db, r.id, input.reply, clock.now());
      if (!row) throw new AppError('ALREADY_REPLIED', '每条评价只能回复一次');
      return row;
    },

    /** Reviews of an organisation with averages (storefronts; enterprises' ratings for providers considering an invitation). */
    async reviewsOf(organisationId: string, opts: { limit?: number } = {}): Promise<ReviewSummaryView> {
      if (!/^[0-9a-f-]{36}$/i.test(organisationId)) throw new AppError('NOT_FOUND', '组织不存在');
      const agg = await repo.reviewAverages(db, organisationId);
      const items = await repo.latestReviewsOf(db, organisationId, opts.limit ?? 20);
      const reviewers = await k.deps.organisations.partiesOf([...new Set(items.map((r) => r.reviewerOrgId))], db);
      const n = agg.n;
      const avg = (x: number) => (n ? Math.round(x * 10) / 10 : null);
      return {
        count: n,
        average: n ? avg((agg.quality + agg.timeliness + agg.communication) / 3) : null,
        quality: avg(agg.quality),
        timeliness: avg(agg.timeliness),
        communication: avg(agg.communication),
        items: items.map((r) => ({
          id: r.id,
          reviewer: reviewers.get(r.reviewerOrgId)?.fullName ?? '',
          quality: r.quality,
          timeliness: r.timeliness,
          communication: r.communication,
          body: r.body,
          reply: r.reply,
          repliedAt: r.repliedAt,
          createdAt: r.createdAt,
        })),
      };
    },
  };
}
