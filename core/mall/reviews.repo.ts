import { and, count, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client';
import { mallOrderLines, mallReviews } from '../../db/schema';

/** SQL of product reviews. */
export const reviewsRepo = {
  /** Inserts the line's review unless it has one (the unique line index decides under concurrency); the row, or undefined. */
  async insertOnce(tx: Tx, row: typeof mallReviews.$inferInsert) {
    const [r] = await tx.insert(mallReviews).values(row).onConflictDoNothing({ target: mallReviews.orderLineId }).returning();
    return r;
  },

  async find(q: DbOrTx, id: string) {
    const [r] = await q.select().from(mallReviews).where(eq(mallReviews.id, id));
    return r;
  },

  /** Sets the reply only while there is none: the row, or undefined when another reply came first. */
  async replyOnce(tx: Tx, id: string, p: { reply: string; repliedBy: string; repliedAt: Date }) {
    const [r] = await tx
      .update(mallReviews)
      .set(p)
      .where(and(eq(mallReviews.id, id), isNull(mallReviews.reply)))
      .returning();
    return r;
  },

  ofOrder: (q: DbOrTx, orderId: string) => q.select().from(mallReviews).where(eq(mallReviews.orderId, orderId)),

  /** A product's reviews, newest first, with the line's product name. */
  pageOfProduct: (q: DbOrTx, productId: string, p: { stars?: number; limit: number; offset: number }) =>
    q
      .select({ r: mallReviews, productName: mallOrderLines.name })
      .from(mallReviews)
      .innerJoin(mallOrderLines, eq(mallOrderLines.id, mallReviews.orderLineId))
      .where(and(eq(mallReviews.productId, productId), p.stars ? eq(mallReviews.productStars, p.stars) : undefined))
      .orderBy(desc(mallReviews.createdAt), desc(mallReviews.id))
      .limit(p.limit)
      .offset(p.offset),

  starCounts: (q: DbOrTx, productId: string) =>
    q.select({ stars: mallReviews.productStars, n: count() }).from(mallReviews).where(eq(mallReviews.productId, productId)).groupBy(mallReviews.productStars),

  /** Average product stars and counts of several products (cards). */
  ratingsOf: (q: DbOrTx, productIds: string[]) =>
    productIds.length
      ? q
          .select({ productId: mallReviews.productId, n: count(), avg: sql<string>`avg(${mallReviews.productStars})` })
          .from(mallReviews)
          .where(inArray(mallReviews.productId, productIds))
          .groupBy(mallReviews.productId)
      : Promise.resolve([]),

  /** Whether the review exists (its photos are public with it). */
  exists: async (q: DbOrTx, id: string) => Boolean((await q.select({ id: mallReviews.id }).from(mallReviews).where(eq(mallReviews.id, id)))[0]),
};
