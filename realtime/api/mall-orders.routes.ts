import { createRoute, z } from '@hono/zod-openapi';
import {
  AddToCartInput,
  CheckoutInput,
  OrderListQuery,
  PayInput,
  ReasonInput,
  RefundDecisionInput,
  RepriceInput,
  ReviewTransferInput,
  ShipInput,
  TransferReceiptInput,
  UpdateCartInput,
  BanksView,
  CartView,
  CheckoutView,
  OrderDetailView,
  OrderView,
  PaymentView,
  PaymentWithOrdersView,
  PayView,
  PendingTransferView,
  ReimbursementView,
} from '../../core/mall/orders.schema';
import type { OrderService } from '../../core/mall/orders.service';
import type { StatisticsService } from '../../core/mall/statistics.service';
import type { ApiRouter } from './context';
import { authed, errorResponses, json, jsonBody, page, named } from './schemas';

// ── Views (core/mall/orders.schema.ts, named in the API document) ───────────────────────────────
const Cart = named(CartView, 'Cart', { description: 'The cart grouped by merchant; a checkout makes one order per merchant.' });
const Order = named(OrderView, 'Order');
const Payment = named(PaymentView, 'MallPayment');
const OrderDetail = named(OrderDetailView, 'OrderDetail');

const idParam = z.object({ id: z.string() });
/** Documents the statistics query; the service parses it (StatisticsQuery) and answers per field. */
const statsQuery = z.object({
  from: z.string().openapi({ example: '2026-10-01' }),
  to: z.string().openapi({ example: '2026-11-30' }),
  granularity: z.enum(['day', 'month']).optional(),
  region: z.string().optional().openapi({ description: 'Operators: the region code; a department sees its own' }),
});
const exportQuery = statsQuery.extend({ format: z.enum(['xlsx', 'csv']).optional() });

const routes = {
  cart: createRoute({
    method: 'get',
    path: '/cart',
    tags: ['mall'],
    summary: '购物车（按商家分组）',
    security: authed,
    responses: { 200: json(Cart, 'The cart'), ...errorResponses(401) },
  }),
  addToCart: createRoute({
    method: 'post',
    path: '/cart/items',
    tags: ['mall'],
    summary: '加入购物车（同一商品数量累加）',
    security: authed,
    request: { body: jsonBody(AddToCartInput) },
    responses: { 200: json(Cart, 'The cart'), ...errorResponses(400, 401, 404) },
  }),
  updateCart: createRoute({
    method: 'patch',
    path: '/cart/items/{productId}',
    tags: ['mall'],
    summary: '修改数量或勾选',
    security: authed,
    request: { params: z.object({ productId: z.string() }), body: jsonBody(UpdateCartInput) },
    responses: { 200: json(Cart, 'The cart'), ...errorResponses(400, 401, 404) },
  }),
  removeFromCart: createRoute({
    method: 'delete',
    path: '/cart/items/{productId}',
    tags: ['mall'],
    summary: '移出购物车',
    security: authed,
    request: { params: z.object({ productId: z.string() }) },
    responses: { 200: json(Cart, 'The cart'), ...errorResponses(401) },
  }),
  checkout: createRoute({
    method: 'post',
    path: '/orders',
    tags: ['mall'],
    summary: '下单：勾选的购物车商品（或 items 直接购买）按商家拆分订单并锁定库存',
    description:
      'Units may set `bulk` to ask the merchants for negotiated prices (the orders wait unpaid). An employee may set `reimbursable` (自行采购报销, each order under ¥10,000).',
    security: authed,
    request: { body: jsonBody(CheckoutInput) },
    responses: { 201: json(named(CheckoutView, 'Checkout'), 'Orders placed, stock reserved'), ...errorResponses(400, 401, 404, 409) },
  }),
  myOrders: createRoute({
    method: 'get',
    path: '/orders',
    tags: ['mall'],
    summary: '我的订单',
    security: authed,
    request: { query: OrderListQuery },
    responses: { 200: json(page(Order, 'OrderPage'), 'Newest first'), ...errorResponses(400, 401) },
  }),
  order: createRoute({
    method: 'get',
    path: '/orders/{id}',
    tags: ['mall'],
    summary: '订单详情（买家、商家或运营）',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(OrderDetail, 'The order with its history'), ...errorResponses(401, 404) },
  }),
  cancel: createRoute({
    method: 'post',
    path: '/orders/{id}/cancel',
    tags: ['mall'],
    summary: '取消订单（未付款释放库存；已付款未发货原路退款）',
    security: authed,
    request: { params: idParam, body: jsonBody(ReasonInput) },
    responses: { 200: json(OrderDetail, 'Cancelled'), ...errorResponses(400, 401, 404, 409) },
  }),
  receive: createRoute({
    method: 'post',
    path: '/orders/{id}/receive',
    tags: ['mall'],
    summary: '确认收货',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(OrderDetail, 'Received'), ...errorResponses(401, 404, 409) },
  }),
  requestRefund: createRoute({
    method: 'post',
    path: '/orders/{id}/refund-request',
    tags: ['mall'],
    summary: '申请退款（付款后、完成前）',
    security: authed,
    request: { params: idParam, body: jsonBody(ReasonInput) },
    responses: { 200: json(OrderDetail, 'Requested'), ...errorResponses(400, 401, 404, 409) },
  }),
  pay: createRoute({
    method: 'post',
    path: '/payments',
    tags: ['mall'],
    summary: '支付订单：对公支付（17 家银行）、大额支付（单笔 ≥ ¥10,000 线下转账）、个人在线支付',
    security: authed,
    request: { body: jsonBody(PayInput) },
    responses: {
      201: json(named(PayView, 'PaymentCreated'), 'Payment created'),
      ...errorResponses(400, 401, 404, 409),
    },
  }),
  payment: createRoute({
    method: 'get',
    path: '/payments/{paymentNo}',
    tags: ['mall'],
    summary: '支付单状态（付款返回页轮询）',
    security: authed,
    request: { params: z.object({ paymentNo: z.string() }) },
    responses: { 200: json(named(PaymentWithOrdersView, 'MallPaymentWithOrders'), 'The payment'), ...errorResponses(401, 404) },
  }),
  receipt: createRoute({
    method: 'post',
    path: '/payments/{paymentNo}/receipt',
    tags: ['mall'],
    summary: '大额支付：上传转账凭证（先用 POST /files 上传图片或 PDF）',
    security: authed,
    request: { params: z.object({ paymentNo: z.string() }), body: jsonBody(TransferReceiptInput) },
    responses: { 200: json(Payment, 'Waiting for the operator'), ...errorResponses(400, 401, 404, 409) },
  }),
  corporateBanks: createRoute({
    method: 'get',
    path: '/payments/corporate-banks',
    tags: ['mall'],
    summary: '对公支付支持的 17 家银行与大额支付收款账户',
    responses: { 200: json(named(BanksView, 'CorporateBanks'), 'Banks') },
  }),
  merchantOrders: createRoute({
    method: 'get',
    path: '/merchant/orders',
    tags: ['mall'],
    summary: '商家：订单管理（筛选、搜索）',
    security: authed,
    request: { query: OrderListQuery },
    responses: { 200: json(page(Order, 'MerchantOrderPage'), 'Newest first'), ...errorResponses(400, 401, 403) },
  }),
  reprice: createRoute({
    method: 'post',
    path: '/merchant/orders/{id}/reprice',
    tags: ['mall'],
    summary: '商家：议价改价（仅待付款的议价订单，须填写原因）',
    security: authed,
    request: { params: idParam, body: jsonBody(RepriceInput) },
    responses: { 200: json(OrderDetail, 'Repriced'), ...errorResponses(400, 401, 404, 409) },
  }),
  ship: createRoute({
    method: 'post',
    path: '/merchant/orders/{id}/ship',
    tags: ['mall'],
    summary: '商家：发货（物流公司、运单号）',
    security: authed,
    request: { params: idParam, body: jsonBody(ShipInput) },
    responses: { 200: json(OrderDetail, 'Shipped'), ...errorResponses(400, 401, 404, 409) },
  }),
  refundDecision: createRoute({
    method: 'post',
    path: '/merchant/orders/{id}/refund-decision',
    tags: ['mall'],
    summary: '商家：同意退款（原路退回）或拒绝（须填写原因）',
    security: authed,
    request: { params: idParam, body: jsonBody(RefundDecisionInput) },
    responses: { 200: json(OrderDetail, 'Decided'), ...errorResponses(400, 401, 404, 409) },
  }),
  reimbursements: createRoute({
    method: 'get',
    path: '/unit/reimbursements',
    tags: ['mall'],
    summary: '单位：自行采购报销清单',
    security: authed,
    request: { query: OrderListQuery },
    responses: { 200: json(page(named(ReimbursementView, 'Reimbursement'), 'ReimbursementPage'), 'Oldest payment first'), ...errorResponses(400, 401, 403) },
  }),
  pendingTransfers: createRoute({
    method: 'get',
    path: '/admin/mall/transfers',
    tags: ['admin'],
    summary: '运营：待确认的大额支付',
    security: authed,
    responses: { 200: json(z.array(named(PendingTransferView, 'PendingTransfer')), 'Oldest first'), ...errorResponses(401, 403) },
  }),
  reviewTransfer: createRoute({
    method: 'post',
    path: '/admin/mall/transfers/{paymentNo}/review',
    tags: ['admin'],
    summary: '运营：确认到账（订单已付款）或驳回凭证',
    security: authed,
    request: { params: z.object({ paymentNo: z.string() }), body: jsonBody(ReviewTransferInput) },
    responses: { 200: json(Payment, 'Decided'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  unitStatistics: createRoute({
    method: 'get',
    path: '/statistics/unit',
    tags: ['statistics'],
    summary: '单位员工消费统计（单位管理员）',
    security: authed,
    request: { query: statsQuery },
    responses: {
      200: json(z.record(z.string(), z.unknown()).openapi('UnitStatistics'), 'Per employee, per period, the unit’s own purchases'),
      ...errorResponses(400, 401, 403),
    },
  }),
  regionStatistics: createRoute({
    method: 'get',
    path: '/statistics/region',
    tags: ['statistics'],
    summary: '所辖区域消费统计（政府部门；运营人员可指定地区）',
    security: authed,
    request: { query: statsQuery },
    responses: {
      200: json(z.record(z.string(), z.unknown()).openapi('RegionStatistics'), 'By district, township, category and period'),
      ...errorResponses(400, 401, 403),
    },
  }),
  unitExport: createRoute({
    method: 'get',
    path: '/statistics/unit/export',
    tags: ['statistics'],
    summary: '导出单位员工消费统计（XLSX 或 CSV）',
    security: authed,
    request: { query: exportQuery },
    responses: { 200: { description: 'The file' }, ...errorResponses(400, 401, 403) },
  }),
  regionExport: createRoute({
    method: 'get',
    path: '/statistics/region/export',
    tags: ['statistics'],
    summary: '导出所辖区域消费统计（XLSX 或 CSV）',
    security: authed,
    request: { query: exportQuery },
    responses: { 200: { description: 'The file' }, ...errorResponses(400, 401, 403) },
  }),
};

const download = (file: { filename: string; contentType: string; bytes: Uint8Array }) => ({
  'content-type': file.contentType,
  'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
});

/** The mall's cart, orders, payments and statistics (products and addresses are in mall-catalog.routes.ts). */
export function registerMallOrderRoutes(api: ApiRouter) {
  const orders = (c: { var: { services: { orders: OrderService } } }) => c.var.services.orders;
  const stats = (c: { var: { services: { statistics: StatisticsService } } }) => c.var.services.statistics;

  api.openapi(routes.cart, async (c) => c.json(await orders(c).cart(c.var.actor), 200));
  api.openapi(routes.addToCart, async (c) => c.json(await orders(c).addToCart(c.var.actor, c.req.valid('json')), 200));
  api.openapi(routes.updateCart, async (c) => c.json(await orders(c).updateCart(c.var.actor, c.req.valid('param').productId, c.req.valid('json')), 200));
  api.openapi(routes.removeFromCart, async (c) => c.json(await orders(c).removeFromCart(c.var.actor, c.req.valid('param').productId), 200));
  api.openapi(routes.checkout, async (c) => c.json(await orders(c).checkout(c.var.actor, c.req.valid('json')), 201));
  api.openapi(routes.myOrders, async (c) => c.json(await orders(c).listMine(c.var.actor, c.req.query()), 200));
  api.openapi(routes.order, async (c) => c.json(await orders(c).get(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.cancel, async (c) => c.json(await orders(c).cancel(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));
  api.openapi(routes.receive, async (c) => c.json(await orders(c).receive(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.requestRefund, async (c) => c.json(await orders(c).requestRefund(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));
  // Static before the parameter route: /payments/corporate-banks is not a payment number.
  api.openapi(routes.corporateBanks, (c) =>
    c.json({ banks: c.var.services.orders.corporateBanks(), receivingAccount: c.var.services.orders.receivingAccount() }, 200),
  );
  api.openapi(routes.pay, async (c) => c.json(await orders(c).pay(c.var.actor, c.req.valid('json'), { origin: new URL(c.req.url).origin }), 201));
  api.openapi(routes.payment, async (c) => c.json(await orders(c).payment(c.var.actor, c.req.valid('param').paymentNo), 200));
  api.openapi(routes.receipt, async (c) =>
    c.json(await orders(c).submitTransferReceipt(c.var.actor, c.req.valid('param').paymentNo, c.req.valid('json')), 200),
  );
  api.openapi(routes.merchantOrders, async (c) => c.json(await orders(c).listForMerchant(c.var.actor, c.req.query()), 200));
  api.openapi(routes.reprice, async (c) => c.json(await orders(c).reprice(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));
  api.openapi(routes.ship, async (c) => c.json(await orders(c).ship(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));
  api.openapi(routes.refundDecision, async (c) => c.json(await orders(c).decideRefund(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));
  api.openapi(routes.reimbursements, async (c) => c.json(await orders(c).reimbursements(c.var.actor, c.req.query()), 200));
  api.openapi(routes.pendingTransfers, async (c) => c.json(await orders(c).pendingTransfers(c.var.actor), 200));
  api.openapi(routes.reviewTransfer, async (c) =>
    c.json(await orders(c).reviewTransfer(c.var.actor, c.req.valid('param').paymentNo, c.req.valid('json')), 200),
  );
  api.openapi(routes.unitStatistics, async (c) => c.json(await stats(c).unit(c.var.actor, c.req.query()), 200));
  api.openapi(routes.regionStatistics, async (c) => c.json(await stats(c).region(c.var.actor, c.req.query()), 200));
  api.openapi(routes.unitExport, async (c) => {
    const q = c.req.query();
    const file = await stats(c).exportUnit(c.var.actor, q, q.format === 'csv' ? 'csv' : 'xlsx');
    return c.body(new Uint8Array(file.bytes), 200, download(file));
  });
  api.openapi(routes.regionExport, async (c) => {
    const q = c.req.query();
    const file = await stats(c).exportRegion(c.var.actor, q, q.format === 'csv' ? 'csv' : 'xlsx');
    return c.body(new Uint8Array(file.bytes), 200, download(file));
  });
}
