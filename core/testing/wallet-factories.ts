import { randomUUID } from 'node:crypto';
import { bankCards, rechargeOrders, siteMessages } from '../../db/schema';
import type { Platform } from '../platform/platform';

/**
 * Wallet and message rows written straight to their tables, for tests that need another
 * organisation's (or person's) resource to exist without going through the bank or gateway flows.
 */

/** A pending bank card of an organisation, awaiting its micro-deposit. */
export async function bankCard(p: Platform, organisationId: string, addedBy: string) {
  const [row] = await p.db
    .insert(bankCards)
    .values({
      organisationId,
      addedBy,
      accountType: 'corporate',
      holderName: '测试企业有限公司',
      bankCode: 'ICBC',
      branch: '重庆渝中支行',
      accountNo: `62220${Date.now().toString().slice(-8)}${Math.floor(Math.random() * 1e4)}`,
      microDepositFen: 37,
    })
    .returning();
  return row!;
}

/** A pending online recharge order of an organisation. */
export async function rechargeOrder(p: Platform, organisationId: string, userId: string, amountFen = 100_000) {
  const [row] = await p.db
    .insert(rechargeOrders)
    .values({
      orderNo: `RC${randomUUID().replace(/-/g, '').slice(0, 18)}`,
      organisationId,
      userId,
      channel: 'online',
      amountFen,
      expiresAt: new Date(p.clock.now().getTime() + 30 * 60_000),
    })
    .returning();
  return row!;
}

/** An unread site message to a person. */
export async function siteMessage(p: Platform, userId: string) {
  const [row] = await p.db.insert(siteMessages).values({ userId, title: '测试通知', body: '这是一条测试站内信' }).returning();
  return row!;
}
