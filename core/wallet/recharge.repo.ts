import { and, count, desc, eq, inArray, lte } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { paymentNotifications, rechargeOrders } from '../../db/schema';
import type { RechargeStatus } from './recharge.machine';

export type OrderRow = typeof rechargeOrders.$inferSelect;

/** SQL of 充值 orders and the payment-notice log. */
export const rechargeRepo = {
  async insertOrder(q: DbOrTx, values: typeof rechargeOrders.$inferInsert) {
    const [row] = await q.insert(rechargeOrders).values(values).returning();
    return row!;
  },

  updateOrder: (q: DbOrTx, id: string, set: Partial<typeof rechargeOrders.$inferInsert>) => q.update(rechargeOrders).set(set).where(eq(rechargeOrders.id, id)),

  findOrderByNo: (q: DbOrTx, orderNo: string) => q.query.rechargeOrders.findFirst({ where: eq(rechargeOrders.orderNo, orderNo) }),

  /** The order if it belongs to one of `organisationIds`. */
  findOrderOfOrganisations: (q: DbOrTx, orderNo: string, organisationIds: string[]) =>
    q.query.rechargeOrders.findFirst({ where: and(eq(rechargeOrders.orderNo, orderNo), inArray(rechargeOrders.organisationId, organisationIds)) }),

  /** The order locked for a decision (`channel` narrows it to one channel). */
  async lockOrderByNo(q: DbOrTx, orderNo: string, channel?: 'online' | 'offline') {
    const [row] = await q
      .select()
      .from(rechargeOrders)
      .where(and(eq(rechargeOrders.orderNo, orderNo), channel ? eq(rechargeOrders.channel, channel) : undefined))
      .for('update');
    return row;
  },

  /** An organisation's orders, newest first. */
  async pageOrders(q: DbOrTx, organisationId: string, status: RechargeStatus | undefined, paging: { limit: number; offset: number }) {
    const where = and(eq(rechargeOrders.organisationId, organisationId), status ? eq(rechargeOrders.status, status) : undefined);
    const [rows, [total]] = await Promise.all([
      q.select().from(rechargeOrders).where(where).orderBy(desc(rechargeOrders.createdAt), desc(rechargeOrders.id)).limit(paging.limit).offset(paging.offset),
      q.select({ n: count() }).from(rechargeOrders).where(where),
    ]);
    return { rows, total: Number(total?.n ?? 0) };
  },

  /** Offline orders in one status, oldest first (the operators' queue). */
  async pageOfflineOrders(q: DbOrTx, status: RechargeStatus, paging: { limit: number; offset: number }) {
    const where = and(eq(rechargeOrders.channel, 'offline'), eq(rechargeOrders.status, status));
    const [rows, [total]] = await Promise.all([
      q.select().from(rechargeOrders).where(where).orderBy(rechargeOrders.createdAt, rechargeOrders.id).limit(paging.limit).offset(paging.offset),
      q.select({ n: count() }).from(rechargeOrders).where(where),
    ]);
    return { rows, total: Number(total?.n ?? 0) };
  },

  /** Pending online orders past their deadline become expired; returns how many. */
  async expirePendingOnline(q: DbOrTx, now: Date) {
    const rows = await q
      .update(rechargeOrders)
      .set({ status: 'expired' })
      .where(and(eq(rechargeOrders.channel, 'online'), eq(rechargeOrders.status, 'pending'), lte(rechargeOrders.expiresAt, now)))
      .returning({ id: rechargeOrders.id });
    return rows.length;
  },

  logNotice: (q: DbOrTx, values: typeof paymentNotifications.$inferInsert) => q.insert(paymentNotifications).values(values),
};
