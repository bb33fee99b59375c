/** Labels and small helpers shared by the mall's buyer pages (no server imports: safe in the browser). */
import { formatFen } from '$core/shared/money';

type Tone = 'success' | 'warning' | 'danger' | 'neutral' | 'info';

export const ORDER_TONES: Record<string, Tone> = {
  pending_payment: 'warning',
  paid: 'info',
  shipped: 'info',
  received: 'success',
  completed: 'success',
  cancelled: 'neutral',
  refunded: 'neutral',
};

/** The badge of an order: a pending refund request outranks the status. */
export const orderTone = (o: { status: string; refundStatus: string | null }): Tone =>
  o.refundStatus === 'requested' ? 'danger' : (ORDER_TONES[o.status] ?? 'neutral');

/** The tabs of 我的订单, in the order people look for them. */
export const ORDER_TABS = [
  { key: '', label: '全部' },
  { key: 'pending_payment', label: '待付款' },
  { key: 'paid', label: '待发货' },
  { key: 'shipped', label: '待收货' },
  { key: 'received', label: '已收货' },
  { key: 'completed', label: '已完成' },
  { key: 'refund', label: '退款' },
  { key: 'cancelled', label: '已取消' },
] as const;

/**
 * Resized pictures are served by the catalog; the original upload (files API) is the fallback
 * while a resized copy is missing.
 */
export const originalOf = (url: string | null | undefined) => {
  const m = url ? /\/api\/v1\/mall\/images\/([0-9a-f-]{36})\//i.exec(url) : null;
  return m ? `/api/v1/files/${m[1]}` : null;
};
export const imageUrl = (fileId: string, size: 'thumb' | 'detail') => `/api/v1/mall/images/${fileId}/${size}`;

/** A product as its card shows it (`cardItem` in catalog.server.ts makes one from the catalog's card). */
export interface CardItem {
  id: string;
  name: string;
  priceFen: number;
  unit: string;
  stock: number;
  sold: number;
  /** The joined region name of its origin: 重庆市 酉阳土家族苗族自治县 花田乡. */
  originName: string;
  imageUrl: string | null;
  /** Average product stars and review count; absent without reviews. */
  rating?: { average: number; count: number };
}

/** The last part of a joined region name: 重庆市 酉阳土家族苗族自治县 花田乡 → 花田乡. */
export const leafRegion = (name: string) => name.split(' ').filter(Boolean).pop() ?? name;
/** Without the province for short labels: 酉阳土家族苗族自治县 花田乡. */
export const shortRegion = (name: string) => {
  const parts = name.split(' ').filter(Boolean);
  return parts.length > 1 ? parts.slice(1).join(' ') : name;
};

/** The level above: 重庆市 城口县 → 重庆市; 江西省 赣州市 于都县 → 赣州市. */
export const parentRegion = (name: string) => {
  const parts = name.split(' ').filter(Boolean);
  return parts.length > 1 ? parts[parts.length - 2]! : '';
};

interface HistoryEntry {
  type: string;
  detail: Record<string, unknown> | unknown;
}

/** 订单动态: what each history entry says, with the reasons and amounts it carries. */
export function describeEvent(e: HistoryEntry): { title: string; text?: string; tone: Tone } {
  const d = (e.detail && typeof e.detail === 'object' ? e.detail : {}) as Record<string, unknown>;
  const fen = (k: string) => (typeof d[k] === 'number' ? formatFen(d[k] as number) : '');
  const reason = typeof d.reason === 'string' ? d.reason : '';
  switch (e.type) {
    case 'created':
      return {
        title: '提交订单',
        text: [d.bulk ? '申请议价' : '', d.reimbursable ? '单位采购、自行报销' : ''].filter(Boolean).join('；') || undefined,
        tone: 'neutral',
      };
    case 'repriced': {
      const changes = Array.isArray(d.changes) ? (d.changes as { name: string; fromFen: number; toFen: number }[]) : [];
      const lines = changes.map((c) => `${c.name}：${formatFen(c.fromFen)} → ${formatFen(c.toFen)}`).join('；');
      return {
        title: `商家改价：${fen('fromFen')} → ${fen('toFen')}`,
        text: [reason ? `原因：${reason}` : '', lines].filter(Boolean).join('\n'),
        tone: 'info',
      };
    }
    case 'paid':
      return { title: '付款成功', text: fen('amountFen') ? `${fen('amountFen')}${d.paymentNo ? `，支付单 ${d.paymentNo}` : ''}` : undefined, tone: 'success' };
    case 'transfer_submitted':
      return { title: '已提交转账凭证', text: `付款账户：${String(d.payerAccountName ?? '')}，等待平台确认到账`, tone: 'warning' };
    case 'transfer_rejected':
      return { title: '转账凭证未通过确认', text: reason ? `原因：${reason}` : undefined, tone: 'danger' };
    case 'shipped':
      return { title: '商家已发货', text: d.carrier ? `${String(d.carrier)}，运单号 ${String(d.trackingNo ?? '')}` : undefined, tone: 'info' };
    case 'received':
      return { title: '确认收货', tone: 'success' };
    case 'auto_received':
      return { title: '超时自动确认收货', tone: 'success' };
    case 'completed':
      return { title: '订单完成', tone: 'success' };
    case 'cancelled':
      return { title: '订单已取消', text: reason ? `原因：${reason}` : undefined, tone: 'neutral' };
    case 'cancelled_refunded':
      return { title: '订单已取消并退款', text: reason ? `原因：${reason}` : undefined, tone: 'neutral' };
    case 'expired':
      return { title: '超时未付款，订单已关闭', tone: 'neutral' };
    case 'refund_requested':
      return { title: '申请退款', text: reason ? `原因：${reason}` : undefined, tone: 'warning' };
    case 'refunded':
      return { title: '退款成功', text: fen('amountFen') ? `${fen('amountFen')} 已原路退回` : undefined, tone: 'success' };
    case 'refund_declined':
      return { title: '商家拒绝退款', text: reason ? `原因：${reason}` : undefined, tone: 'danger' };
    case 'coupon_applied':
      return {
        title: '使用政府消费券',
        text: `${d.campaignName ? `${String(d.campaignName)}：` : ''}满${Number(d.thresholdFen ?? 0) / 100}减${Number(d.discountFen ?? 0) / 100}`,
        tone: 'info',
      };
    case 'coupon_removed':
      return { title: '不使用消费券', text: fen('totalFen') ? `改按原价 ${fen('totalFen')} 付款` : undefined, tone: 'neutral' };
    case 'coupon_expired_payment_returned':
      return {
        title: '消费券已过期，本次付款未入账',
        text: fen('amountFen') ? `${fen('amountFen')} 将由支付渠道原路退回；请不使用消费券付款或取消订单` : undefined,
        tone: 'warning',
      };
    case 'late_payment_returned':
      return { title: '迟到的付款已退回', text: fen('amountFen') ? `${fen('amountFen')} 将由支付渠道原路退回` : undefined, tone: 'neutral' };
    default:
      return { title: e.type, tone: 'neutral' };
  }
}

/** A cart line as the orders service builds it. */
export interface CartItem {
  productId: string;
  name: string;
  unit: string;
  priceFen: number;
  quantity: number;
  selected: boolean;
  stock: number;
  available: boolean;
  problem: string | null;
  imageId: string | null;
  amountFen: number;
}
export interface CartGroup {
  merchantId: string;
  merchantName: string;
  items: CartItem[];
  selectedTotalFen: number;
}
