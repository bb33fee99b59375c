import type { ChartOption } from '$lib/components/Chart.svelte';
import { PRODUCT_STATUS_LABELS, PRODUCT_STATUSES } from '$core/mall/catalog.machine';
import { ORDER_STATUS_LABELS, type OrderStatus } from '$core/mall/orders.machine';
import { formatFen } from '$core/shared/money';
import { shanghaiDate } from '$core/shared/time';

/** Labels, tones and chart options shared by the mall's consoles (merchant, unit, department, operators). */

export type Tone = 'success' | 'warning' | 'danger' | 'neutral' | 'info';

/** The product status tabs of the consoles, labelled by the catalog's one table (在售, not a copy of it). */
export const PRODUCT_TABS = [{ value: '', label: '全部' }, ...PRODUCT_STATUSES.map((s) => ({ value: s, label: PRODUCT_STATUS_LABELS[s] }))] as const;

export const PRODUCT_STATUS_TEXT: Record<string, string> = PRODUCT_STATUS_LABELS;
export const PRODUCT_TONES: Record<string, Tone> = { draft: 'neutral', listed: 'success', unlisted: 'warning', taken_down: 'danger' };

/** The order status filter, labelled by the order machine's table. */
export const ORDER_STATUS_OPTIONS = [
  { value: '', label: '全部状态' },
  ...(Object.keys(ORDER_STATUS_LABELS) as OrderStatus[]).map((s) => ({ value: s, label: ORDER_STATUS_LABELS[s] })),
];
export const ORDER_TONES: Record<string, Tone> = {
  pending_payment: 'warning',
  paid: 'info',
  shipped: 'info',
  received: 'success',
  completed: 'success',
  cancelled: 'neutral',
  refunded: 'neutral',
};

/** One line of an order's history, in words. */
export function describeOrderEvent(type: string, detail: Record<string, unknown> | null): string {
  const d = detail ?? {};
  const fen = (k: string) => (typeof d[k] === 'number' ? formatFen(d[k] as number) : '');
  switch (type) {
    case 'created':
      return d.bulk ? '买家下单，申请议价' : d.reimbursable ? '买家下单（单位采购、自行报销）' : '买家下单';
    case 'paid':
      return `买家付款 ${fen('amountFen')}`;
    case 'repriced':
      return `商家改价 ${fen('fromFen')} → ${fen('toFen')}：${String(d.reason ?? '')}`;
    case 'shipped':
      return `商家发货：${String(d.carrier ?? '')} ${String(d.trackingNo ?? '')}`;
    case 'received':
      return '买家确认收货';
    case 'auto_received':
      return '发货 15 天后自动确认收货';
    case 'completed':
      return `订单完成，货款 ${fen('settledFen')} 已结算给商家`;
    case 'cancelled':
      return `买家取消订单：${String(d.reason ?? '')}`;
    case 'cancelled_refunded':
      return `买家取消订单并退款：${String(d.reason ?? '')}`;
    case 'expired':
      return '超时未付款，订单关闭';
    case 'refund_requested':
      return `买家申请退款：${String(d.reason ?? '')}`;
    case 'refunded':
      return `同意退款，${fen('amountFen')} 原路退回`;
    case 'refund_declined':
      return `拒绝退款：${String(d.reason ?? '')}`;
    case 'transfer_submitted':
      return `买家提交大额转账凭证（付款账户 ${String(d.payerAccountName ?? '')}）`;
    case 'transfer_rejected':
      return `平台驳回转账凭证：${String(d.reason ?? '')}`;
    case 'late_payment_returned':
      return `迟到的付款 ${fen('amountFen')} 已退回付款方`;
    default:
      return type;
  }
}

/** The first and last day of the current month and the last twelve months, in Shanghai (YYYY-MM-DD). */
export function shanghaiToday(now = new Date()) {
  return shanghaiDate(now);
}

/** Reads a statistics query from the URL: a valid range (default: this year so far), the granularity. */
export function statsRange(url: URL, now = new Date()) {
  const today = shanghaiToday(now);
  const iso = (v: string | null) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) ? v : null);
  const from = iso(url.searchParams.get('from')) ?? `${today.slice(0, 4)}-01-01`;
  const to = iso(url.searchParams.get('to')) ?? today;
  let granularity = url.searchParams.get('granularity') === 'day' ? ('day' as const) : ('month' as const);
  const [a, b] = from <= to ? [from, to] : [to, from];
  // Day by day over more than half a year is unreadable: such ranges go by month.
  const tooLong = granularity === 'day' && daysBetween(a, b) > 186;
  if (tooLong) granularity = 'month';
  return { from: a, to: b, granularity, switchedToMonth: tooLong };
}

/** Quick ranges offered above the statistics. */
export function quickRanges(now = new Date()) {
  const today = shanghaiToday(now);
  const y = Number(today.slice(0, 4));
  const back = (days: number) => shanghaiToday(new Date(now.getTime() - days * 86_400_000));
  return [
    { label: '近 30 天', from: back(29), to: today, granularity: 'day' as const },
    { label: '本月', from: `${today.slice(0, 7)}-01`, to: today, granularity: 'day' as const },
    { label: '本年', from: `${y}-01-01`, to: today, granularity: 'month' as const },
    { label: '上一年', from: `${y - 1}-01-01`, to: `${y - 1}-12-31`, granularity: 'month' as const },
  ];
}

// ── charts ─────────────────────────────────────────────────────────────────────────────────

const PALETTE = ['#b91c1c', '#2563eb', '#d97706', '#059669', '#7c3aed', '#db2777', '#0891b2', '#65a30d', '#9ca3af'];
const yuan = (fen: number) => Math.round(fen) / 100;

/** ¥1.2万 / ¥8,800 on a money axis (yuan values). */
export function moneyAxisLabel(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 100_000_000) return `¥${+(v / 100_000_000).toFixed(1)}亿`;
  if (abs >= 10_000) return `¥${+(v / 10_000).toFixed(1)}万`;
  return `¥${v.toLocaleString('zh-CN', { maximumFractionDigits: 0 })}`;
}
/** A yuan value as ¥1,234.50 (tooltips). */
export const moneyText = (v: unknown) => formatFen(Math.round(Number(v ?? 0) * 100));

const tooltipAxis = {
  trigger: 'axis' as const,
  confine: true,
  valueFormatter: (v: unknown) => moneyText(v),
};
const legend = (narrow: boolean) =>
  narrow ? { bottom: 0, left: 'center', itemWidth: 14, itemHeight: 10, textStyle: { fontSize: 12 } } : { top: 0, right: 0, textStyle: { fontSize: 12 } };
const grid = (narrow: boolean, hasLegend: boolean) =>
  narrow
    ? { left: 8, right: 12, top: 16, bottom: hasLegend ? 40 : 8, containLabel: true }
    : { left: 12, right: 24, top: hasLegend ? 36 : 16, bottom: 8, containLabel: true };

/** Shortens a period label for the axis: 2026-03 → 3月 (2026-01 keeps its year), 2026-03-05 → 03-05. */
function periodAxisLabel(p: string, i: number) {
  const [y, m, d] = p.split('-');
  if (d) return `${m}-${d}`;
  return i === 0 || m === '01' ? `${y}年${Number(m)}月` : `${Number(m)}月`;
}

/**
 * Money per period, one series per entry (stacked bars or lines). Narrow: legend at the bottom and
 * every nth axis label.
 */
export function periodChart(periods: string[], series: { name: string; fen: number[] }[], kind: 'bar' | 'line', opts: { stack?: boolean } = {}) {
  return (narrow: boolean): ChartOption => ({
    color: PALETTE,
    tooltip: tooltipAxis,
    legend: series.length > 1 ? legend(narrow) : undefined,
    grid: grid(narrow, series.length > 1),
    xAxis: {
      type: 'category',
      data: periods,
      axisTick: { alignWithLabel: true },
      axisLabel: {
        formatter: (p: string) => periodAxisLabel(p, periods.indexOf(p)),
        hideOverlap: true,
        fontSize: narrow ? 11 : 12,
        interval: narrow && periods.length > 8 ? Math.ceil(periods.length / 6) - 1 : 'auto',
      },
    },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => moneyAxisLabel(v), fontSize: narrow ? 11 : 12 }, splitNumber: narrow ? 3 : 5 },
    series: series.map((s) =>
      kind === 'bar'
        ? {
            type: 'bar' as const,
            name: s.name,
            data: s.fen.map(yuan),
            stack: opts.stack ? 'total' : undefined,
            barMaxWidth: 36,
            emphasis: { focus: 'series' as const },
          }
        : {
            type: 'line' as const,
            name: s.name,
            data: s.fen.map(yuan),
            symbolSize: 6,
            showSymbol: periods.length <= 31,
            areaStyle: series.length === 1 ? { opacity: 0.12 } : undefined,
          },
    ),
  });
}

/**
 * Horizontal bars of money by name (districts, townships), the largest on top; long lists keep the
 * first `limit` and sum the rest as 其他.
 */
export function rankingChart(rows: { name: string; fen: number }[], opts: { limit?: number; seriesName?: string } = {}) {
  const limit = opts.limit ?? 10;
  const top = rows.slice(0, limit);
  const rest = rows.slice(limit).reduce((s, r) => s + r.fen, 0);
  const shown = [...top, ...(rest > 0 ? [{ name: '其他', fen: rest }] : [])].reverse();
  return (narrow: boolean): ChartOption => ({
    color: PALETTE,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true, valueFormatter: (v: unknown) => moneyText(v) },
    grid: { left: 8, right: narrow ? 16 : 56, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', axisLabel: { formatter: (v: number) => moneyAxisLabel(v), fontSize: narrow ? 11 : 12 }, splitNumber: narrow ? 2 : 4 },
    yAxis: {
      type: 'category',
      data: shown.map((r) => r.name),
      axisLabel: { width: narrow ? 84 : 150, overflow: 'truncate', fontSize: narrow ? 11 : 12 },
      axisTick: { show: false },
    },
    series: [
      {
        type: 'bar',
        name: opts.seriesName ?? '消费金额',
        data: shown.map((r) => yuan(r.fen)),
        barMaxWidth: 22,
        itemStyle: { borderRadius: [0, 3, 3, 0] },
        label: {
          show: !narrow,
          position: 'right',
          fontSize: 11,
          color: '#4b5563',
          formatter: (p: { value?: unknown }) => moneyAxisLabel(Number(p.value ?? 0)),
        },
      },
    ],
  });
}

/** A doughnut of shares (categories); beyond `limit` slices the rest become 其他. */
export function shareChart(rows: { name: string; fen: number }[], opts: { limit?: number } = {}) {
  const limit = opts.limit ?? 7;
  const top = rows.slice(0, limit);
  const rest = rows.slice(limit).reduce((s, r) => s + r.fen, 0);
  const data = [...top, ...(rest > 0 ? [{ name: '其他', fen: rest }] : [])].map((r) => ({ name: r.name, value: yuan(r.fen) }));
  return (narrow: boolean): ChartOption => ({
    color: PALETTE,
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p: unknown) => {
        const x = p as { name: string; value: number; percent: number };
        return `${x.name}<br/>${moneyText(x.value)}（${x.percent}%）`;
      },
    },
    legend: narrow
      ? { bottom: 0, left: 'center', type: 'scroll', itemWidth: 12, itemHeight: 10, textStyle: { fontSize: 11 } }
      : { orient: 'vertical', right: 0, top: 'middle', type: 'scroll', textStyle: { fontSize: 12 } },
    series: [
      {
        type: 'pie',
        name: '品类',
        radius: narrow ? ['38%', '62%'] : ['42%', '70%'],
        center: narrow ? ['50%', '42%'] : ['38%', '50%'],
        avoidLabelOverlap: true,
        label: { show: !narrow, formatter: '{d}%', fontSize: 11 },
        labelLine: { show: !narrow, length: 6, length2: 6 },
        data,
      },
    ],
  });
}

/** Every period label from `from` to `to` (YYYY-MM or YYYY-MM-DD), so charts show the empty ones too. */
export function periodLabels(from: string, to: string, granularity: 'day' | 'month'): string[] {
  const out: string[] = [];
  if (granularity === 'month') {
    let [y, m] = [Number(from.slice(0, 4)), Number(from.slice(5, 7))];
    const end = to.slice(0, 7);
    for (let i = 0; i < 240; i++) {
      const label = `${y}-${String(m).padStart(2, '0')}`;
      if (label > end) break;
      out.push(label);
      m += 1;
      if (m > 12) [y, m] = [y + 1, 1];
    }
    return out;
  }
  const d = new Date(`${from}T00:00:00Z`);
  const end = new Date(`${to}T00:00:00Z`);
  for (let i = 0; i < 800 && d <= end; i++) {
    out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

/** Days between two ISO dates, inclusive. */
export const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;

/** A share as 12.3%. */
export const percent = (part: number, whole: number) => (whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : '—');

/** The query string of a statistics page (and of its export links). */
export function statsQueryString(q: { from: string; to: string; granularity: string; region?: string }, extra: Record<string, string> = {}) {
  const u = new URLSearchParams({ from: q.from, to: q.to, granularity: q.granularity, ...(q.region ? { region: q.region } : {}), ...extra });
  return u.toString();
}

const ETHNIC =
  '(?:土家|苗|彝|回|藏|羌|蒙古|壮|侗|布依|瑶|白|哈尼|傣|黎|傈僳|佤|畲|水|纳西|满|朝鲜|达斡尔|鄂温克|鄂伦春|仡佬|仫佬|毛南|锡伯|景颇|拉祜|普米|独龙|怒|撒拉|裕固|保安|东乡|哈萨克|柯尔克孜|塔吉克|维吾尔|各)族';
const AUTONOMOUS = new RegExp(`(?:${ETHNIC})+自治(县|旗)$`);

/** 酉阳土家族苗族自治县 → 酉阳县: the short name people use, for chart labels and narrow tables. */
export const shortRegionName = (name: string) => name.replace(AUTONOMOUS, '$1');

/** The last `parts` levels of a joined region name, shortened: "重庆市 酉阳土家族苗族自治县 花田乡" → "酉阳县 花田乡". */
export const regionLabel = (joined: string, parts = 1) => joined.split(' ').slice(-parts).map(shortRegionName).join(' ');
