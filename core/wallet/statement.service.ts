import { z } from 'zod';
import { PageNumber, PageSize } from '../shared/paging';
import type { Db } from '../../db/client';
import { authorizeActing } from '../shared/access';
import type { Actor } from '../shared/actor';
import { formatFen } from '../shared/money';
import { toCsv, trusted } from '../shared/export';
import { addDays, formatDateTimeSeconds, startOfShanghaiDay } from '../shared/time';
import { parseInput } from '../shared/validate';
import { bankName, isPhonePay } from './payment-gateway';
import { pageStatementOf, type StatementRow } from './statement.repo';
import type { Ledger } from './ledger.service';
import { TRANSFER_KIND_LABELS, type TransferKind } from './ledger.rules';

const TRANSFER_KINDS = Object.keys(TRANSFER_KIND_LABELS) as [TransferKind, ...TransferKind[]];
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式为 YYYY-MM-DD')
  .optional();

export const StatementQuery = z
  .object({
    page: PageNumber,
    pageSize: PageSize(100, 20),
    kind: z.enum(TRANSFER_KINDS, { message: '未知的交易类型' }).optional(),
    /** Shanghai calendar days, inclusive. */
    from: day,
    to: day,
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: '结束日期不能早于开始日期' });
export type StatementQuery = z.infer<typeof StatementQuery>;

/** Start of a Shanghai calendar day as a UTC instant. */
const shanghaiDay = (d: string, plusDays = 0) => startOfShanghaiDay(addDays(d, plusDays));

export interface StatementLine {
  id: string;
  kind: string;
  kindLabel: string;
  /** Signed from the wallet's point of view: + in, − out. */
  amountFen: number;
  /** Which side of the wallet: available or frozen. */
  account: 'available' | 'frozen';
  /** The ledger's own reference (order and document numbers), for support and reconciliation. */
  reference: string;
  /** What a person recognises the line by: 充值 · 微信支付, 托管 · <project>, 消费帮扶馆订单 · <merchant>. */
  summary: string;
  balanceAfterFen: number | null;
  createdAt: Date;
}

const cut = (s: string, n = 24) => (s.length > n ? `${s.slice(0, n)}…` : s);

/**
 * The summary column: the names behind a transfer's ids, or its reference when the names are not there
 * (a demo top-up, an adjustment, a voucher line that already reads by its campaign's name).
 */
export function statementSummary(t: StatementRow): string {
  const project = t.projectTitle ? cut(t.projectTitle) : null;
  const milestone = t.milestoneSeq ? ` · 里程碑 ${t.milestoneSeq}` : '';
  switch (t.kind) {
    case 'recharge_online':
      if (!t.rechargeChannel) return t.reference;
      return `充值 · ${!t.rechargeBankCode ? '网银' : isPhonePay(t.rechargeBankCode) ? bankName(t.rechargeBankCode) : `网银（${bankName(t.rechargeBankCode)}）`}`;
    case 'recharge_offline':
      return t.rechargeChannel ? '充值 · 线下转账' : t.reference;
    case 'deposit_pay':
    case 'deposit_refund':
    case 'deposit_forfeit':
      return project ? `保证金 · ${project}` : t.reference;
    case 'escrow_fund':
    case 'escrow_refund':
      return project ? `托管 · ${project}${milestone}` : t.reference;
    case 'escrow_release':
      return project ? `合同款 · ${project}${milestone}` : t.reference;
    case 'platform_fee':
      return project ? `平台服务费 · ${project}${milestone}` : t.reference;
    case 'mall_payment':
    case 'mall_refund':
      return t.merchantName ? `消费帮扶馆订单 · ${cut(t.merchantName)}` : t.reference;
    case 'mall_settlement':
      return t.firstProduct ? `消费帮扶馆订单 · ${cut(t.firstProduct)}${(t.productLines ?? 0) > 1 ? ` 等 ${t.productLines} 种` : ''}` : t.reference;
    case 'withdrawal_freeze':
    case 'withdrawal_release':
    case 'withdrawal_payout':
      return t.cardBankCode ? `提现 · ${bankName(t.cardBankCode)}（尾号 ${t.cardAccountNo}）` : t.reference;
    default:
      return t.reference;
  }
}

/** 资金明细: every transfer touching the organisation's wallet, newest first, with running balances. */
export function createStatementService({ db, ledger }: { db: Db; ledger: Ledger }) {
  async function lines(actor: Actor | null, raw: unknown, limit?: number) {
    const org = authorizeActing(actor, 'wallet.view');
    const q = parseInput(StatementQuery, raw);
    const w = await ledger.ensureWallet(db, org.organisationId);
    const ids = [w.availableId, w.frozenId];
    const pageSize = limit ?? q.pageSize;
    const { rows, total } = await pageStatementOf(
      db,
      ids,
      { kind: q.kind, from: q.from ? shanghaiDay(q.from) : undefined, before: q.to ? shanghaiDay(q.to, 1) : undefined },
      { limit: pageSize, offset: limit ? 0 : (q.page - 1) * q.pageSize },
    );
    // A transfer between the wallet's own accounts (freeze/release) shows once, from the available side.
    const items: StatementLine[] = rows.map((t) => {
      const inbound = ids.includes(t.creditAccountId) && !(t.debitAccountId === w.availableId);
      const account = (inbound ? t.creditAccountId : t.debitAccountId) === w.availableId ? 'available' : 'frozen';
      return {
        id: t.id,
        kind: t.kind,
        kindLabel: TRANSFER_KIND_LABELS[t.kind as TransferKind] ?? t.kind,
        amountFen: inbound ? t.amountFen : -t.amountFen,
        account,
        reference: t.reference,
        summary: statementSummary(t),
        balanceAfterFen: inbound ? t.creditBalanceAfterFen : t.debitBalanceAfterFen,
        createdAt: t.createdAt,
      };
    });
    return { items, total, page: limit ? 1 : q.page, pageSize };
  }

  return {
    list: (actor: Actor | null, raw: unknown) => lines(actor, raw),

    /** The wallet's balances (available, frozen, total) of the organisation acted for; roles that may see money only. */
    async balances(actor: Actor | null) {
      const org = authorizeActing(actor, 'wallet.view');
      const b = await ledger.walletBalances(db, org.organisationId);
      return { availableFen: b.availableFen, frozenFen: b.frozenFen, totalFen: b.totalFen };
    },

    /** 托管中 on the home page (public): what the platform's escrow account holds for milestones not yet released or refunded. */
    async escrowHeldFen() {
      return ledger.balanceOf(db, await ledger.platformAccount('escrow'));
    },

    /** CSV (UTF-8 with BOM so Excel opens Chinese correctly), up to 10,000 lines with the same filters. */
    async exportCsv(actor: Actor | null, raw: unknown) {
      const { items } = await lines(actor, raw, 10_000);
      // Amounts are formatted by the platform (a minus sign there is a sign, not a formula).
      const amount = (fen: number) => trusted(formatFen(fen, { symbol: false }));
      return toCsv({
        columns: ['时间', '类型', '账户', '金额（元）', '余额（元）', '摘要', '单号'],
        rows: items.map((l) => [
          formatDateTimeSeconds(l.createdAt),
          l.kindLabel,
          l.account === 'available' ? '可用' : '冻结',
          amount(l.amountFen),
          l.balanceAfterFen === null ? '' : amount(l.balanceAfterFen),
          l.summary,
          l.reference,
        ]),
      });
    },
  };
}
