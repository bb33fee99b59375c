import { and, count, desc, eq, gte, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { agreements, bankCards, ledgerTransfers, mallOrders, milestones, organisations, rechargeOrders, requirements, withdrawals } from '../../db/schema';

const t = ledgerTransfers;

/** The milestone an escrow transfer moved money of: its key is escrow:<step>:<milestone id>[:n]. */
const escrowMilestoneId = sql<
  string | null
>`case when ${t.idempotencyKey} ~ '^escrow:[a-z-]+:[0-9a-f-]{36}' then split_part(${t.idempotencyKey}, ':', 3)::uuid end`;
/** The requirement a deposit transfer was for (its metadata). */
const depositRequirementId = sql<string | null>`case when ${t.kind} like 'deposit\\_%' then (${t.metadata} ->> 'requirementId')::uuid end`;
/** The mall order a mall transfer was for (its metadata). */
const mallOrderId = sql<string | null>`case when ${t.kind} in ('mall_payment', 'mall_settlement', 'mall_refund') then (${t.metadata} ->> 'orderId')::uuid end`;

/**
 * A page of the transfers touching an organisation's wallet, newest first, with the names a person
 * recognises them by: the recharge's channel, the project (deposits, escrow), the mall order's merchant
 * and largest product line, the withdrawal's card. One query for the page (the names are joined to the
 * page's rows only), one for the total.
 *
 * Reads the tables of the contexts that moved the money (tenders, escrow, mall) directly: the ledger
 * keeps their ids in its keys and metadata, and asking each context's service per line would be a query
 * per line; this is a read for display only, never a decision.
 */
export async function pageStatementOf(
  q: DbOrTx,
  accountIds: string[],
  filter: { kind?: string; from?: Date; before?: Date },
  paging: { limit: number; offset: number },
) {
  const conds: (SQL | undefined)[] = [
    or(inArray(t.debitAccountId, accountIds), inArray(t.creditAccountId, accountIds)),
    filter.kind ? eq(t.kind, filter.kind) : undefined,
    filter.from ? gte(t.createdAt, filter.from) : undefined,
    filter.before ? lt(t.createdAt, filter.before) : undefined,
  ];
  const where = and(...conds);
  const page = q
    .select({
      id: t.id,
      debitAccountId: t.debitAccountId,
      creditAccountId: t.creditAccountId,
      amountFen: t.amountFen,
      kind: t.kind,
      reference: t.reference,
      debitBalanceAfterFen: t.debitBalanceAfterFen,
      creditBalanceAfterFen: t.creditBalanceAfterFen,
      createdAt: t.createdAt,
      escrowMilestoneId: escrowMilestoneId.as('escrow_milestone_id'),
      depositRequirementId: depositRequirementId.as('deposit_requirement_id'),
      mallOrderId: mallOrderId.as('mall_order_id'),
    })
    .from(t)
    .where(where)
    .orderBy(desc(t.createdAt), desc(t.id))
    .limit(paging.limit)
    .offset(paging.offset)
    .as('p');
  const merchant = organisations;
  const [rows, [total]] = await Promise.all([
    q
      .select({
        id: page.id,
        debitAccountId: page.debitAccountId,
        creditAccountId: page.creditAccountId,
        amountFen: page.amountFen,
        kind: page.kind,
        reference: page.reference,
        debitBalanceAfterFen: page.debitBalanceAfterFen,
        creditBalanceAfterFen: page.creditBalanceAfterFen,
        createdAt: page.createdAt,
        rechargeChannel: rechargeOrders.channel,
        rechargeBankCode: rechargeOrders.bankCode,
        projectTitle: requirements.title,
        milestoneSeq: milestones.seq,
        merchantName: merchant.fullName,
        firstProduct: sql<
          string | null
        >`(select l.name from mall_order_lines l where l.order_id = ${mallOrders.id} order by l.price_fen * l.quantity desc, l.name limit 1)`,
        productLines: sql<number | null>`(select count(*)::int from mall_order_lines l where l.order_id = ${mallOrders.id})`,
        cardBankCode: bankCards.bankCode,
        cardAccountNo: sql<string | null>`right(${bankCards.accountNo}, 4)`,
      })
      .from(page)
      .leftJoin(rechargeOrders, and(sql`${page.kind} like 'recharge\\_%'`, eq(rechargeOrders.orderNo, page.reference)))
      .leftJoin(milestones, eq(milestones.id, page.escrowMilestoneId))
      .leftJoin(agreements, eq(agreements.id, milestones.agreementId))
      .leftJoin(requirements, eq(requirements.id, sql`coalesce(${agreements.requirementId}, ${page.depositRequirementId})`))
      .leftJoin(mallOrders, eq(mallOrders.id, page.mallOrderId))
      .leftJoin(merchant, eq(merchant.id, mallOrders.merchantId))
      .leftJoin(withdrawals, and(sql`${page.kind} like 'withdrawal\\_%'`, eq(withdrawals.withdrawalNo, page.reference)))
      .leftJoin(bankCards, eq(bankCards.id, withdrawals.cardId))
      .orderBy(desc(page.createdAt), desc(page.id)),
    q.select({ n: count() }).from(t).where(where),
  ]);
  return { rows, total: Number(total?.n ?? 0) };
}

export type StatementRow = Awaited<ReturnType<typeof pageStatementOf>>['rows'][number];
