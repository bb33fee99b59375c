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
  items: z.array(z.object({ productId: z.uuid('商品编号无效'), quantity: Qty })).max(100).optional(),
  /** A unit asks the merchants for a negotiated price: the orders wait unpaid for repricing. */
  bulk: z.boolean().default(false),
  /** An individual buying for their unit, to be reimbursed (自行采购报销, under ¥10,000). */
  reimbursable: z.boolean().default(false),
  note: z.string().trim().max(500, '备注不超过 500 字').optional(),
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
  changes: z.array(z.object({ lineId: z.uuid('商品编号无效'), priceFen: z.number({ message: '请填写价格' }).int('价格最多两位小数').positive('价格必须大于 0') })).min(1, '请填写新的价格').max(100),
  reason: z.string({ message: '请填写改价原因' }).trim().min(2, '请填写改价原因').max(500, '原因不超过 500 字'),
});

export const ShipInput = z.object({
  carrier: z.string({ message: '请填写物流公司' }).trim().min(2, '请填写物流公司').max(40, '物流公司不超过 40 字'),
  trackingNo: z.string({ message: '请填写运单号' }).trim().regex(/^[A-Za-z0-9-]{6,40}$/, '运单号为 6–40 位字母或数字'),
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
