import { AppError } from '../shared/app-error';
import { formatFen } from '../shared/money';

/**
 * Mall orders, with no I/O: the order's states and what each side may do in them, the manual's
 * payment rules for units, repricing (议价), and the deadlines of unpaid, shipped and received orders.
 */
export type OrderStatus = 'pending_payment' | 'paid' | 'shipped' | 'received' | 'completed' | 'cancelled' | 'refunded';
export type OrderEvent = 'pay' | 'cancel' | 'expire' | 'ship' | 'receive' | 'complete' | 'refund';

export const ORDER_TRANSITIONS = {
  pending_payment: { pay: 'paid', cancel: 'cancelled', expire: 'cancelled' },
  // Cancelling a paid order before it ships refunds it at once.
  paid: { ship: 'shipped', cancel: 'refunded', refund: 'refunded' },
  shipped: { receive: 'received', refund: 'refunded' },
  received: { complete: 'completed', refund: 'refunded' },
  completed: {},
  cancelled: {},
  refunded: {},
} as const satisfies Record<OrderStatus, Partial<Record<OrderEvent, OrderStatus>>>;

export const ORDER_STATUS_LABELS: Record<OrderStatus, string> = {
  pending_payment: '待付款',
  paid: '待发货',
  shipped: '已发货',
  received: '已收货',
  completed: '已完成',
  cancelled: '已取消',
  refunded: '已退款',
};

const EVENT_LABELS: Record<OrderEvent, string> = {
  pay: '付款',
  cancel: '取消',
  expire: '关闭',
  ship: '发货',
  receive: '确认收货',
  complete: '完成',
  refund: '退款',
};

export function orderTransition(status: OrderStatus, event: OrderEvent): OrderStatus {
  const next = (ORDER_TRANSITIONS[status] as Partial<Record<OrderEvent, OrderStatus>>)[event];
  if (!next) throw new AppError('ORDER_STATUS_FORBIDS', `订单当前状态为「${ORDER_STATUS_LABELS[status]}」，不能${EVENT_LABELS[event]}`);
  return next;
}

/** Orders of ¥10,000 or more may be paid by a large offline transfer; below it a unit's buyer may pay personally and be reimbursed. */
export const LARGE_PAYMENT_FEN = 1_000_000;

/** How long an order may wait unpaid. */
export const PAYMENT_WINDOW_MS = { individual: 30 * 60_000, unit: 3 * 86_400_000, bulk: 7 * 86_400_000 } as const;
/** A shipped order is deemed received after this long; a received one completes (and the merchant is paid) after this long. */
export const AUTO_RECEIVE_MS = 15 * 86_400_000;
export const COMPLETE_AFTER_MS = 7 * 86_400_000;

export type PayMethod = 'corporate_online' | 'offline_transfer' | 'personal_online';

export const PAY_METHOD_LABELS: Record<PayMethod, string> = {
  corporate_online: '对公支付（网银）',
  offline_transfer: '大额支付（线下转账）',
  personal_online: '在线支付',
};

/**
 * The manual's payment ways: a unit pays online by corporate banking (any amount) or, for an order of
 * ¥10,000 or more, by a large offline transfer of that one order; an individual pays online. Errors:
 * VALIDATION naming the field `method`.
 */
export function checkPayMethod(p: { buyerKind: 'unit' | 'individual'; method: PayMethod; orderTotalsFen: number[] }) {
  const refuse = (msg: string) => {
    throw new AppError('VALIDATION', msg, { method: msg });
  };
  if (p.buyerKind === 'individual' && p.method !== 'personal_online') refuse('个人用户请使用在线支付');
  if (p.buyerKind === 'unit' && p.method === 'personal_online') refuse('单位订单请使用对公支付或大额支付；个人垫付请以个人账号下单并选择“单位采购、自行报销”');
  if (p.method === 'offline_transfer') {
    if (p.orderTotalsFen.length !== 1) refuse('大额支付须逐笔订单转账，请选择一个订单');
    if (p.orderTotalsFen[0]! < LARGE_PAYMENT_FEN) refuse(`大额支付适用于 ${formatFen(LARGE_PAYMENT_FEN)} 及以上的订单`);
  }
}

/** 自行采购报销: only a buyer who belongs to a unit, and only for orders under ¥10,000. */
export function checkReimbursable(p: { unitId: string | null; orderTotalsFen: number[] }) {
  if (!p.unitId) throw new AppError('VALIDATION', '您还没有所属单位，不能选择单位报销', { reimbursable: '您还没有所属单位，不能选择单位报销' });
  if (p.orderTotalsFen.some((t) => t >= LARGE_PAYMENT_FEN)) {
    const msg = `${formatFen(LARGE_PAYMENT_FEN)} 及以上的单位采购请由单位账号下单，使用对公支付或大额支付`;
    throw new AppError('VALIDATION', msg, { reimbursable: msg });
  }
}

/** The remittance note the manual requires on a large offline transfer. */
export const remittanceNote = (orderNo: string) => `消费帮扶+${orderNo}`;

/**
 * 议价: the merchant changes the prices of an unpaid bulk order's lines. Errors:
 * ORDER_NOT_REPRICEABLE (paid or closed, not a bulk order, a transfer awaiting confirmation),
 * VALIDATION (a line not of this order, a non-positive price, no reason).
 */
export function checkReprice(p: {
  status: OrderStatus;
  bulk: boolean;
  awaitingTransfer: boolean;
  lineIds: string[];
  changes: { lineId: string; priceFen: number }[];
  reason: string;
}) {
  if (p.status !== 'pending_payment') throw new AppError('ORDER_NOT_REPRICEABLE', '只有待付款的订单可以改价');
  if (!p.bulk) throw new AppError('ORDER_NOT_REPRICEABLE', '买家没有申请议价，不能改价');
  if (p.awaitingTransfer) throw new AppError('ORDER_NOT_REPRICEABLE', '买家已提交转账凭证，等待平台确认，不能改价');
  if (!p.changes.length) throw new AppError('VALIDATION', '请填写新的价格', { changes: '请填写新的价格' });
  for (const c of p.changes) {
    if (!p.lineIds.includes(c.lineId)) throw new AppError('VALIDATION', '订单中没有该商品', { changes: '订单中没有该商品' });
    if (!Number.isSafeInteger(c.priceFen) || c.priceFen <= 0) throw new AppError('VALIDATION', '价格必须大于 0', { changes: '价格必须大于 0' });
  }
  if (p.reason.trim().length < 2) throw new AppError('VALIDATION', '请填写改价原因', { reason: '请填写改价原因' });
}

/** Σ price × quantity, in fen. */
export const orderTotal = (lines: { priceFen: number; quantity: number }[]) => lines.reduce((s, l) => s + l.priceFen * l.quantity, 0);
