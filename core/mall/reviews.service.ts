import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client';
import type { AccountService } from '../accounts/accounts.service';
import type { FileService } from '../files/files.service';
import type { MessageService } from '../notifications/messages.service';
import { requireActor, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { parseInput } from '../shared/validate';
import { isUuid } from './orders.core';
import type { OrderStatus } from './orders.machine';
import { ordersRepo } from './orders.repo';
import { decideReviewable, maskName, summariseStars } from './reviews.rules';
import { reviewsRepo } from './reviews.repo';
import { REVIEW_LIMITS, ReplyReviewInput, ReviewListQuery, SubmitReviewInput, type RatingSummary, type ReviewView } from './reviews.schema';
import type { MallReviewRow } from '../../db/schema';

export interface ReviewDeps {
  db: Db;
  clock: Clock;
  files: FileService;
  messages: MessageService;
  accounts: Pick<AccountService, 'usernamesOf'>;
}

/**
 * Product reviews (评价): after an order completes its buyer rates each line's product and the
 * merchant (stars 1–5, text, up to three photos); the product page shows the average, the count per
 * star and the reviews; the merchant replies once. One review per order line (unique index), one reply
 * per review (conditional update), both safe under concurrency.
 */
export function createReviewService({ db, clock, files, messages, accounts }: ReviewDeps) {
  async function views(rows: { r: MallReviewRow; productName: string }[]): Promise<ReviewView[]> {
    const names = await accounts.usernamesOf(
      rows.map((x) => x.r.buyerUserId),
      db,
    );
    return rows.map(({ r, productName }) => ({
      id: r.id,
      orderLineId: r.orderLineId,
      productId: r.productId,
      productName,
      productStars: r.productStars,
      merchantStars: r.merchantStars,
      body: r.body,
      photoIds: r.photoIds,
      buyer: maskName(names.get(r.buyerUserId) ?? ''),
      createdAt: r.createdAt,
      reply: r.reply,
      repliedAt: r.repliedAt,
    }));
  }

  const service = {
    /**
     * An order's reviews by line, for its buyer's and its merchant's order pages; `canReview` says
     * whether the caller may still review lines (the buyer of a completed order). Anyone else: NOT_FOUND.
     */
    async orderReviews(actor: Actor | null, orderId: string) {
      const a = requireActor(actor);
      const o = isUuid(orderId) ? await ordersRepo.findOrder(db, orderId) : undefined;
      const isBuyer = o?.buyerUserId === a.userId;
      const isMerchant = o && a.organisation?.organisationId === o.merchantId;
      if (!o || (!isBuyer && !isMerchant && !a.isOperator)) throw new AppError('NOT_FOUND', '订单不存在');
      const lines = await ordersRepo.linesOf(db, o.id);
      const rows = await reviewsRepo.ofOrder(db, o.id);
      const list = await views(rows.map((r) => ({ r, productName: lines.find((l) => l.id === r.orderLineId)?.name ?? '' })));
      return {
        canReview: isBuyer && decideReviewable({ buyerUserId: o.buyerUserId, status: o.status as OrderStatus }, a.userId) === 'ok',
        canReply: Boolean(isMerchant),
        byLine: Object.fromEntries(list.map((v) => [v.orderLineId, v])) as Record<string, ReviewView>,
      };
    },

    /**
     * The buyer reviews one line of their completed order. Errors: NOT_FOUND (not their order),
     * REVIEW_NOT_ALLOWED (not completed), VALIDATION (line of another order, bad stars or text, photos
     * not theirs or not images, photos without an organisation to hold them), ORDER_LINE_REVIEWED
     * (the line has its review: the unique index decides when two arrive at once).
     */
    async submitReview(actor: Actor | null, orderId: string, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(SubmitReviewInput, raw);
      if (!isUuid(orderId)) throw new AppError('NOT_FOUND', '订单不存在');
      const now = clock.now();
      const { review, merchantId, productName } = await db.transaction(async (tx) => {
        const o = await ordersRepo.lockOrder(tx, orderId);
        const decision = o ? decideReviewable({ buyerUserId: o.buyerUserId, status: o.status as OrderStatus }, a.userId) : 'NOT_FOUND';
        if (!o || decision === 'NOT_FOUND') throw new AppError('NOT_FOUND', '订单不存在');
        if (decision === 'REVIEW_NOT_ALLOWED') throw new AppError('REVIEW_NOT_ALLOWED', '订单完成后才能评价');
        const line = (await ordersRepo.linesOf(tx, o.id)).find((l) => l.id === input.orderLineId);
        if (!line) throw new AppError('VALIDATION', '请选择要评价的商品', { orderLineId: '该商品不在此订单中' });
        const id = randomUUID();
        const row = await reviewsRepo.insertOnce(tx, {
          id,
          orderLineId: line.id,
          orderId: o.id,
          productId: line.productId,
          merchantId: o.merchantId,
          buyerUserId: a.userId,
          productStars: input.productStars,
          merchantStars: input.merchantStars,
          body: input.body,
          photoIds: input.photoIds,
          createdAt: now,
        });
        if (!row) throw new AppError('ORDER_LINE_REVIEWED', '该商品已评价过了');
        // The buyer's pictures: their organisation's uploads, or their own as an individual buyer.
        await files.attach(tx, {
          fileIds: input.photoIds,
          organisationId: a.organisation?.organisationId ?? null,
          userId: a.userId,
          purpose: 'mall_review',
          subjectId: id,
          field: 'photoIds',
          imagesOnly: true,
        });
        return { review: row, merchantId: o.merchantId, productName: line.name };
      });
      await messages.sendToOrganisation(merchantId, {
        title: `新的评价：${productName}`,
        body: `买家给「${productName}」打了 ${review.productStars} 星${review.body ? `：${review.body.slice(0, 80)}` : '。'}`,
        link: `/mall/merchant/orders/${review.orderId}`,
        category: 'mall',
      });
      const [v] = await views([{ r: review, productName }]);
      return v!;
    },

    /**
     * The merchant replies to a review of its product, once. Errors: NOT_FOUND (not its review),
     * VALIDATION (length), REVIEW_REPLIED (a reply is there: the conditional update decides under concurrency).
     */
    async replyToReview(actor: Actor | null, reviewId: string, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(ReplyReviewInput, raw);
      const r = isUuid(reviewId) ? await reviewsRepo.find(db, reviewId) : undefined;
      if (!r || a.organisation?.organisationId !== r.merchantId) throw new AppError('NOT_FOUND', '评价不存在');
      const row = await db.transaction((tx) => reviewsRepo.replyOnce(tx, r.id, { reply: input.reply, repliedBy: a.userId, repliedAt: clock.now() }));
      if (!row) throw new AppError('REVIEW_REPLIED', '已回复过这条评价');
      const [v] = await views([{ r: row, productName: '' }]);
      return v!;
    },

    /** A product's rating summary and one page of its reviews (public: the product page checks visibility). */
    async productReviews(productId: string, raw: unknown = {}) {
      const q = ReviewListQuery.parse(raw ?? {});
      if (!isUuid(productId))
        return { summary: summariseStars(new Map()) as RatingSummary, items: [] as ReviewView[], page: 1, pageSize: REVIEW_LIMITS.pageSize, total: 0 };
      const counts = new Map((await reviewsRepo.starCounts(db, productId)).map((c) => [c.stars, Number(c.n)]));
      const summary = summariseStars(counts);
      const total = q.stars ? (counts.get(q.stars) ?? 0) : summary.count;
      const pages = Math.max(1, Math.ceil(total / REVIEW_LIMITS.pageSize));
      const page = Math.min(q.page, pages);
      const rows = await reviewsRepo.pageOfProduct(db, productId, {
        stars: q.stars,
        limit: REVIEW_LIMITS.pageSize,
        offset: (page - 1) * REVIEW_LIMITS.pageSize,
      });
      return { summary, items: await views(rows), page, pageSize: REVIEW_LIMITS.pageSize, total, stars: q.stars ?? null };
    },

    /** Average stars (one decimal) and review counts of products, for cards; products without reviews are absent. */
    async ratingsOf(productIds: string[]) {
      const ids = [...new Set(productIds.filter(isUuid))];
      const rows = await reviewsRepo.ratingsOf(db, ids);
      return new Map(rows.map((r) => [r.productId, { average: Math.round(Number(r.avg) * 10) / 10, count: Number(r.n) }]));
    },

    /** Review photos are public with their review (a product page shows them to anyone). */
    canReadPhoto: (subjectId: string) => (isUuid(subjectId) ? reviewsRepo.exists(db, subjectId) : Promise.resolve(false)),
  };
  return service;
}

export type ReviewService = ReturnType<typeof createReviewService>;
