import { csvFile, downloadHeaders } from '$core/shared/export';
import { fenToYuan } from '$core/shared/money';
import { allReimbursements, reimbursementFilters, requireUnitAdmin } from '$lib/server/mall-console';
import { orError } from '$lib/server/session';
import { formatDateTime } from '$lib/format';
import type { RequestHandler } from './$types';

const yuan = fenToYuan;

/** 报销清单 as CSV (UTF-8 with a BOM, so Excel opens the Chinese correctly), oldest payment first. */
export const GET: RequestHandler = async ({ locals, url }) => {
  const { org } = requireUnitAdmin(locals, url);
  const filters = reimbursementFilters(url);
  const items = await orError(() => allReimbursements(locals, filters));
  const rows = items.map((o) => [
    formatDateTime(o.paidAt),
    o.orderNo,
    o.buyerName,
    o.buyerUsername,
    o.merchantName,
    o.lines.map((l) => `${l.name} × ${l.quantity}${l.unit}`).join('；'),
    yuan(o.totalFen),
    o.statusLabel,
    o.payMethodLabel ?? '',
  ]);
  const total = items.reduce((s, o) => s + o.totalFen, 0);
  const columns = ['付款时间', '订单号', '员工姓名', '用户名', '商家', '商品', '金额（元）', '订单状态', '支付方式'];
  const span = filters.from || filters.to ? `-${filters.from || '最早'}至${filters.to || '今天'}` : '';
  const file = csvFile(`${org.fullName}-报销清单${span}.csv`, {
    columns,
    rows: [...rows, ['合计', `${items.length} 笔`, '', '', '', '', yuan(total), '', '']],
  });
  return new Response(file.bytes, { headers: downloadHeaders(file) });
};
