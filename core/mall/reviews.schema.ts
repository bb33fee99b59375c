import { z } from 'zod';

/** zod contracts of product reviews (评价) and merchants' replies. */

const Stars = z.number({ message: '请选择 1–5 星' }).int('请选择 1–5 星').min(1, '请选择 1–5 星').max(5, '请选择 1–5 星');

export const REVIEW_LIMITS = { bodyMax: 500, photosMax: 3, replyMin: 2, replyMax: 300, pageSize: 10 } as const;

export const SubmitReviewInput = z.object({
  orderLineId: z.uuid('请选择要评价的商品'),
  productStars: Stars,
  merchantStars: Stars,
  body: z.string({ message: '请填写评价内容' }).trim().max(REVIEW_LIMITS.bodyMax, `评价不超过 ${REVIEW_LIMITS.bodyMax} 字`).default(''),
  photoIds: z
    .array(z.uuid('图片无效，请重新上传'), { message: '图片无效，请重新上传' })
    .max(REVIEW_LIMITS.photosMax, `最多 ${REVIEW_LIMITS.photosMax} 张图片`)
    .default([]),
});

export const ReplyReviewInput = z.object({
  reply: z
    .string({ message: '请填写回复内容' })
    .trim()
    .min(REVIEW_LIMITS.replyMin, `回复 ${REVIEW_LIMITS.replyMin}–${REVIEW_LIMITS.replyMax} 字`)
    .max(REVIEW_LIMITS.replyMax, `回复 ${REVIEW_LIMITS.replyMin}–${REVIEW_LIMITS.replyMax} 字`),
});

export const ReviewListQuery = z.object({
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
  stars: z.coerce.number().int().min(1).max(5).optional().catch(undefined),
});

const Instant = z.iso.datetime();

const ReviewView = z.object({
  id: z.uuid(),
  orderLineId: z.uuid(),
  productId: z.uuid(),
  productName: z.string(),
  productStars: z.number().int(),
  merchantStars: z.number().int(),
  body: z.string(),
  photoIds: z.array(z.uuid()),
  /** The buyer's name, masked (张**). */
  buyer: z.string(),
  createdAt: Instant,
  reply: z.string().nullable(),
  repliedAt: Instant.nullable(),
});
export type ReviewView = Omit<z.output<typeof ReviewView>, 'createdAt' | 'repliedAt'> & { createdAt: Date; repliedAt: Date | null };

const RatingSummary = z.object({
  count: z.number().int(),
  /** One decimal; null without reviews. */
  average: z.number().nullable(),
  /** Reviews per star, 5 down to 1. */
  distribution: z.array(z.object({ stars: z.number().int(), count: z.number().int() })),
});
export type RatingSummary = z.output<typeof RatingSummary>;
