import { z } from 'zod';
import { PageNumber, PageSize } from '../shared/paging';
import { SearchKeyword } from '../shared/validate';

/** zod contracts of the cart, checkout, payments and the merchant's order console. */

const Qty = z.number({ message: '请填写数量' }).int('数量须为整数').min(1, '数量至少为 1').max(9999, '数量不超过 9999');

export const AddToCartInput = z.object({ productId: z.uuid('商品编号无效'), quantity: Qty.default(1) });
export const UpdateCartInput = z.object({ quantity: Qty.optional(), selected: z.boolean().optional() });

export const CheckoutInput = z.object({
  addressId: z.uuid('请选择收货地址'),
  /** Checkout the selected cart lines (default) or these products directly (a “buy now”). */
  items: z
    .array(z.object({ productId: z.uuid('商品编号无效'), quantity: Qty }))
    .max(100)
    .optional(),
  /** A unit asks the merchants for a negotiated price: the orders wait unpaid for repricing. */
  bulk: z.boolean().default(false),
  /** An individual buying for their unit, to be reimbursed (自行采购报销, under ¥10,000). */
  reimbursable: z.boolean().default(false),
  note: z.string().trim().max(500, '备注不超过 500 字').optional(),
  /** An individual's best government voucher is applied to each order (one per order) unless this is false. */
  useCoupon: z.boolean().default(true),
});
export type CheckoutInput = z.input<typeof CheckoutInput>;

export const PayInput = z.object({
  orderIds: z.array(z.uuid('订单编号无效')).min(1, '请选择要支付的订单').max(20, '一次最多支付 20 个订单'),
  method: z.enum(['corporate_online', 'offline_transfer', 'personal_online'], { message: '请选择支付方式' }),
  /** Online payments: the bank (corporate) or WECHAT for the personal sandbox. */
  bankCode: z.string().max(20).optional(),
});
export type PayInput = z.input<typeof PayInput>;

export const TransferReceiptInput = z.object({
  receiptFileId: z.uuid('请上传转账凭证'),
  payerAccountName: z.string({ message: '请填写付款账户名称' }).trim().min(2, '请填写付款账户名称').max(100, '账户名称不超过 100 字'),
});

export const ReviewTransferInput = z.discriminatedUnion('decision', [
  z.object({ decision: z.literal('confirm') }),
  z.object({ decision: z.literal('reject'), reason: z.string({ message: '请填写驳回原因' }).trim().min(2, '请填写驳回原因').max(500, '原因不超过 500 字') }),
]);

export const RepriceInput = z.object({
  changes: z
    .array(z.object({ lineId: z.uuid('商品编号无效'), priceFen: z.number({ message: '请填写价格' }).int('价格最多两位小数').positive('价格必须大于 0') }))
    .min(1, '请填写新的价格')
    .max(100),
  reason: z.string({ message: '请填写改价原因' }).trim().min(2, '请填写改价原因').max(500, '原因不超过 500 字'),
});

export const ShipInput = z.object({
  carrier: z.string({ message: '请填写物流公司' }).trim().min(2, '请填写物流公司').max(40, '物流公司不超过 40 字'),
  trackingNo: z
    .string({ message: '请填写运单号' })
    .trim()
    .regex(/^[A-Za-z0-9-]{6,40}$/, '运单号为 6–40 位字母或数字'),
});

export const ReasonInput = z.object({ reason: z.string({ message: '请填写原因' }).trim().min(2, '请填写原因').max(500, '原因不超过 500 字') });
export const RefundDecisionInput = z.discriminatedUnion('decision', [
  z.object({ decision: z.literal('approve') }),
  z.object({ decision: z.literal('decline'), reason: z.string({ message: '请填写拒绝原因' }).trim().min(2, '请填写拒绝原因').max(500, '原因不超过 500 字') }),
]);

const STATUSES = ['pending_payment', 'paid', 'shipped', 'received', 'completed', 'cancelled', 'refunded'] as const;
export const OrderListQuery = z.object({
  status: z.enum(STATUSES, { message: '订单状态无效' }).optional(),
  refund: z.enum(['requested']).optional(),
  q: SearchKeyword(60),
  from: z.iso.date('开始日期格式为 YYYY-MM-DD').optional(),
  to: z.iso.date('结束日期格式为 YYYY-MM-DD').optional(),
  page: PageNumber,
  pageSize: PageSize(50, 10),
});

// ── Views: what the order services return and the API publishes (instants as ISO strings in JSON) ──
const OrderStatusView = z.enum(STATUSES);
const PayMethodView = z.enum(['corporate_online', 'offline_transfer', 'personal_online']);
const Instant = z.iso.datetime();
const Fen = z.number().int();

export const CartItemView = z.object({
  productId: z.uuid(),
  name: z.string(),
  unit: z.string(),
  priceFen: Fen,
  quantity: z.number().int(),
  selected: z.boolean(),
  stock: z.number().int(),
  available: z.boolean(),
  problem: z.string().nullable().describe('Why this line cannot be bought now (unlisted, short of stock)'),
  imageId: z.string().nullable(),
  amountFen: Fen,
});
export type CartItemView = z.output<typeof CartItemView>;

export const CartView = z.object({
  groups: z.array(z.object({ merchantId: z.uuid(), merchantName: z.string(), items: z.array(CartItemView), selectedTotalFen: Fen })),
  selectedTotalFen: Fen,
  count: z.number().int(),
});
export type CartView = z.output<typeof CartView>;

export const OrderLineView = z.object({
  id: z.uuid(),
  productId: z.uuid(),
  name: z.string(),
  unit: z.string(),
  quantity: z.number().int(),
  listPriceFen: Fen,
  priceFen: Fen.describe('The price charged (the negotiated one after repricing)'),
  amountFen: Fen,
  originCode: z.string(),
  originName: z.string(),
});

export const ReceivingAccountView = z.object({ bank: z.string(), accountName: z.string(), accountNo: z.string(), bankNo: z.string() });
export const RemittanceView = ReceivingAccountView.extend({ note: z.string().describe('The exact remittance note: 消费帮扶+<order number>') });

export const OrderView = z.object({
  id: z.uuid(),
  orderNo: z.string(),
  checkoutId: z.uuid(),
  status: OrderStatusView,
  statusLabel: z.string(),
  buyerKind: z.enum(['unit', 'individual']),
  unitId: z.uuid().nullable().describe('The unit the purchase counts for, as it was when ordered'),
  unitName: z.string().nullable(),
  merchantId: z.uuid(),
  merchantName: z.string(),
  totalFen: Fen,
  couponDiscountFen: Fen.describe('The government voucher taken off this order (0: none)'),
  payableFen: Fen.describe('What the buyer pays: totalFen − couponDiscountFen'),
  coupon: z
    .object({ campaignName: z.string(), categoryName: z.string(), thresholdFen: Fen, discountFen: Fen })
    .nullable()
    .describe('The government voucher applied to this order (one per order; individuals only)'),
  bulk: z.boolean(),
  reimbursable: z.boolean(),
  payMethod: PayMethodView.nullable(),
  payMethodLabel: z.string().nullable(),
  address: z.object({ recipient: z.string(), mobile: z.string(), regionCode: z.string(), regionName: z.string(), detail: z.string() }),
  note: z.string().nullable(),
  expiresAt: Instant.nullable(),
  paidAt: Instant.nullable(),
  carrier: z.string().nullable(),
  trackingNo: z.string().nullable(),
  shippedAt: Instant.nullable(),
  receivedAt: Instant.nullable(),
  completesAt: Instant.nullable(),
  completedAt: Instant.nullable(),
  cancelledAt: Instant.nullable(),
  cancelReason: z.string().nullable(),
  refundStatus: z.string().nullable(),
  refundReason: z.string().nullable(),
  refundedAt: Instant.nullable(),
  createdAt: Instant,
  lines: z.array(OrderLineView),
  remittance: RemittanceView.nullable().describe('For a unit order of ¥10,000 or more awaiting payment: where to transfer'),
});
export type OrderView = z.output<typeof OrderView>;

export const PaymentView = z.object({
  paymentNo: z.string(),
  orderIds: z.array(z.uuid()),
  method: PayMethodView,
  methodLabel: z.string(),
  amountFen: Fen,
  bankCode: z.string().nullable(),
  status: z.enum(['pending', 'paid', 'failed', 'expired', 'rejected']),
  receiptFileId: z.uuid().nullable(),
  payerAccountName: z.string().nullable(),
  rejectReason: z.string().nullable(),
  paidAt: Instant.nullable(),
  createdAt: Instant,
});
export type PaymentView = z.output<typeof PaymentView>;

export const OrderDetailView = OrderView.extend({
  role: z.enum(['buyer', 'merchant', 'operator']),
  history: z.array(
    z.object({ id: z.uuid(), type: z.string(), actorUserId: z.uuid().nullable(), detail: z.record(z.string(), z.unknown()), createdAt: Instant }),
  ),
  payments: z.array(PaymentView),
});
export type OrderDetailView = z.output<typeof OrderDetailView>;

export const CheckoutView = z.object({ checkoutId: z.uuid(), orders: z.array(OrderView) });

export const PayView = z.object({
  payment: PaymentView,
  redirectUrl: z.string().nullable().describe('Online: send the payer here'),
  transfer: RemittanceView.extend({ amountFen: Fen }).nullable().describe('Offline: transfer this to the account with this note'),
});

export const PaymentWithOrdersView = PaymentView.extend({ orders: z.array(OrderView) });

export const ReimbursementView = OrderView.extend({ buyerName: z.string(), buyerUsername: z.string() });

export const PendingTransferView = PaymentView.extend({
  orderNo: z.string(),
  buyer: z.string(),
  unitName: z.string().nullable(),
  note: z.string(),
  receiptUrl: z.string(),
  receipt: z.object({ filename: z.string(), contentType: z.string(), isImage: z.boolean() }).nullable(),
});

export const BanksView = z.object({ banks: z.array(z.object({ code: z.string(), name: z.string() })), receivingAccount: ReceivingAccountView });
