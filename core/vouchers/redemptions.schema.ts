import { z } from 'zod';
import { PageNumber, PageSize } from '../shared/paging';
import { MAX_BILL_FEN } from './redemptions.machine';
import { normaliseCodeInput } from './payment-codes';

/** zod contracts of payment codes, redemptions, refunds, statements and settlement. */

/** The digits as the cashier typed or scanned them (spaces and dashes allowed). */
const Code = z
  .string({ message: '请输入或扫描付款码' })
  .transform(normaliseCodeInput)
  .refine((s) => /^\d{18}$/.test(s), '付款码为 18 位数字');

const BillFen = z.number({ message: '请填写消费金额' }).int('消费金额最多两位小数').min(1, '消费金额必须大于 0').max(MAX_BILL_FEN, '消费金额不超过 100 万元');

/** The merchant's console: the resident's code and the bill (quote, then create). */
export const RedemptionInput = z.object({ code: Code, billFen: BillFen });
export type RedemptionInput = z.input<typeof RedemptionInput>;

export const RedemptionListQuery = z.object({
  campaignId: z.preprocess((v) => (v === '' ? undefined : v), z.uuid('活动编号无效').optional()),
  status: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['awaiting_payment', 'paid', 'cancelled', 'refunded'], { message: '状态无效' }).optional()),
  page: PageNumber,
  pageSize: PageSize(100, 20),
});

export const StatementQuery = z.object({ campaignId: z.uuid('请选择活动') });

export const PaymentCodeView = z.object({
  id: z.string(),
  digits: z.string().describe('18 digits with a Luhn check digit'),
  qrSvg: z.string().describe('The QR code of the digits, an SVG document'),
  expiresAt: z.iso.datetime(),
  secondsLeft: z.number().int(),
  serverNow: z.iso.datetime(),
});

export const CodeStatusView = z.object({
  id: z.string(),
  state: z.enum(['live', 'used', 'expired']),
  expiresAt: z.iso.datetime(),
  secondsLeft: z.number().int(),
  /** The redemption the merchant created with this code, when used. */
  redemptionId: z.string().nullable(),
});

export const QuoteView = z.object({
  billFen: z.number().int(),
  discountFen: z.number().int(),
  payFen: z.number().int(),
  coupon: z
    .object({
      id: z.string(),
      campaignId: z.string(),
      campaignName: z.string(),
      categoryCode: z.string(),
      categoryName: z.string(),
      thresholdFen: z.number().int(),
      discountFen: z.number().int(),
      validUntil: z.iso.datetime(),
    })
    .nullable(),
  /** Why no coupon applies (none unused, below every threshold, category not covered). */
  reason: z.string().nullable(),
});

export const RedemptionView = z.object({
  id: z.string(),
  redemptionNo: z.string(),
  campaignId: z.string(),
  campaignName: z.string(),
  merchantId: z.string(),
  merchantName: z.string(),
  voucherId: z.string(),
  couponLabel: z.string(),
  billFen: z.number().int(),
  discountFen: z.number().int(),
  payFen: z.number().int(),
  status: z.enum(['awaiting_payment', 'paid', 'cancelled', 'refunded']),
  statusLabel: z.string(),
  settled: z.boolean(),
  paidAt: z.iso.datetime().nullable(),
  refundedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});

export const SettlementLineView = z.object({
  merchantId: z.string(),
  merchantName: z.string(),
  merchantNo: z.string(),
  regionName: z.string(),
  categoryName: z.string(),
  redemptions: z.number().int(),
  discountFen: z.number().int(),
  billFen: z.number().int(),
  settled: z.boolean(),
  settledAt: z.iso.datetime().nullable(),
});

export const SettlementView = z.object({
  campaignId: z.string(),
  campaignName: z.string(),
  validUntil: z.iso.datetime(),
  due: z.boolean(),
  settled: z.boolean(),
  settledAt: z.iso.datetime().nullable(),
  lines: z.array(SettlementLineView),
  totals: z.object({ redemptions: z.number().int(), discountFen: z.number().int(), billFen: z.number().int() }),
  /** What the pool held and returned to the bureau when settled. */
  remainderFen: z.number().int().nullable(),
});
