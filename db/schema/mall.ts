import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgEnum, pgTable, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts';
import { organisations } from './organisations';
import { bytea, files, tsvector } from './tenders';

/**
 * The consumption-assistance mall (消费帮扶馆, manual 000): units and their employees buy produce
 * from assisted areas; every purchase is attributed to the buyer's unit (as it was at purchase
 * time) and to the product's origin (district / township).
 */

/** 单位属性: the four kinds of the manual, each with a second level (none for 其他帮扶单位). */
export const unitAttributeKind = pgEnum('unit_attribute_kind', ['central', 'shandong', 'city_group', 'other']);

/** The second-level list of unit attributes (ministries, Shandong cities, city assistance groups), seeded. */
export const unitAttributeGroups = pgTable(
  'unit_attribute_groups',
  {
    code: text('code').primaryKey(),
    kind: unitAttributeKind('kind').notNull(),
    name: text('name').notNull(),
    sort: smallint('sort').notNull().default(0),
  },
  (t) => [index('unit_attribute_groups_kind_idx').on(t.kind, t.sort)],
);

/** A unit's registration details beyond the organisation row (kind 'unit'). */
export const unitProfiles = pgTable(
  'unit_profiles',
  {
    organisationId: uuid('organisation_id')
      .primaryKey()
      .references(() => organisations.id),
    attributeKind: unitAttributeKind('attribute_kind').notNull(),
    /** Null for 其他帮扶单位 (free entry of the unit name only). */
    attributeGroupCode: text('attribute_group_code').references(() => unitAttributeGroups.code),
    /** Province → city → district → township (the deepest chosen), GB/T 2260 + township codes. */
    regionCode: text('region_code').notNull(),
    /** Bigram search document over the full name (individuals find their unit by keyword). */
    searchVector: tsvector('search_vector'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('unit_profiles_kind_idx').on(t.attributeKind, t.attributeGroupCode), index('unit_profiles_search_idx').using('gin', t.searchVector)],
);

/** 个人用户: an employee's real name, region and current unit (the membership is the link; this keeps the profile). */
/**
 * Whether the unit has confirmed an individual as its employee. Naming a unit counts purchases for it
 * (statistics) at once; acting for it (a membership) comes only with the unit admin's approval.
 */
export const employeeStatus = pgEnum('employee_status', ['pending', 'approved', 'rejected']);

export const individualProfiles = pgTable(
  'individual_profiles',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id),
    realName: text('real_name').notNull(),
    regionCode: text('region_code').notNull(),
    unitId: uuid('unit_id').references(() => organisations.id),
    unitStatus: employeeStatus('unit_status').notNull().default('pending'),
    unitDecidedBy: uuid('unit_decided_by').references(() => users.id),
    unitDecidedAt: timestamp('unit_decided_at', { withTimezone: true }),
    unitRejectReason: text('unit_reject_reason'),
    note: text('note'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('individual_profiles_unit_status_idx').on(t.unitId, t.unitStatus)],
);

/** Two-level product categories (粮油 › 大米 …), seeded. */
export const productCategories = pgTable(
  'product_categories',
  {
    code: text('code').primaryKey(),
    parentCode: text('parent_code'),
    name: text('name').notNull(),
    sort: smallint('sort').notNull().default(0),
  },
  (t) => [index('product_categories_parent_idx').on(t.parentCode, t.sort)],
);

export const productStatus = pgEnum('product_status', ['draft', 'listed', 'unlisted', 'taken_down']);

export const products = pgTable(
  'products',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id')
      .notNull()
      .references(() => organisations.id),
    name: text('name').notNull(),
    categoryCode: text('category_code')
      .notNull()
      .references(() => productCategories.code),
    /** Where it comes from: a district (6 digits) or township (9 digits) code. */
    originCode: text('origin_code').notNull(),
    priceFen: bigint('price_fen', { mode: 'number' }).notNull(),
    unit: text('unit').notNull(),
    /** Units on hand; orders reserve stock when they are created. */
    stock: integer('stock').notNull(),
    sold: integer('sold').notNull().default(0),
    description: text('description').notNull().default(''),
    contactPhone: text('contact_phone'),
    /** Image file ids (originals) in display order; thumbnails in product_images. */
    imageIds: jsonb('image_ids').$type<string[]>().notNull().default([]),
    status: productStatus('status').notNull().default('draft'),
    featured: boolean('featured').notNull().default(false),
    takedownReason: text('takedown_reason'),
    searchVector: tsvector('search_vector'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('products_merchant_idx').on(t.merchantId, t.updatedAt),
    index('products_listed_idx').on(t.status, t.categoryCode),
    index('products_origin_idx').on(t.originCode),
    index('products_search_idx').using('gin', t.searchVector),
    check('products_price_positive', sql`${t.priceFen} > 0`),
    check('products_stock_non_negative', sql`${t.stock} >= 0`),
  ],
);

/**
 * The catalog's version, in stripes: every transaction that changes a product, or a merchant's name,
 * region or status, adds 1 to one stripe (chosen by its transaction id) as it commits (triggers of
 * migration 0023), so the sum of the stripes changes with every such commit. Anonymous catalog views
 * are cached under the sum they were read after (core/mall/catalog.cache.ts). Only the triggers write it.
 */
export const catalogVersions = pgTable('catalog_versions', {
  stripe: smallint('stripe').primaryKey(),
  version: bigint('version', { mode: 'number' }).notNull().default(0),
});

/** Resized copies of product images (list thumbnail and detail size), made once at upload. */
export const productImages = pgTable(
  'product_images',
  {
    fileId: uuid('file_id')
      .notNull()
      .references(() => files.id),
    size: text('size').notNull(),
    contentType: text('content_type').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [uniqueIndex('product_images_uq').on(t.fileId, t.size)],
);

export const addresses = pgTable(
  'addresses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    recipient: text('recipient').notNull(),
    mobile: text('mobile').notNull(),
    regionCode: text('region_code').notNull(),
    detail: text('detail').notNull(),
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('addresses_user_idx').on(t.userId),
    uniqueIndex('addresses_one_default_uq')
      .on(t.userId)
      .where(sql`${t.isDefault}`),
  ],
);

export const cartItems = pgTable(
  'cart_items',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id),
    quantity: integer('quantity').notNull(),
    selected: boolean('selected').notNull().default(true),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('cart_items_uq').on(t.userId, t.productId), check('cart_items_quantity', sql`${t.quantity} between 1 and 9999`)],
);

export const orderStatus = pgEnum('mall_order_status', ['pending_payment', 'paid', 'shipped', 'received', 'completed', 'cancelled', 'refunded']);
export const buyerKind = pgEnum('mall_buyer_kind', ['unit', 'individual']);
/** How the order was (or will be) paid: the manual's three ways for units, the gateway for individuals. */
export const payMethod = pgEnum('mall_pay_method', ['corporate_online', 'offline_transfer', 'personal_online']);

/** One order per merchant (a cart checkout splits by merchant). */
export const mallOrders = pgTable(
  'mall_orders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderNo: text('order_no').notNull().unique(),
    /** A checkout that made several orders at once. */
    checkoutId: uuid('checkout_id').notNull(),
    buyerUserId: uuid('buyer_user_id')
      .notNull()
      .references(() => users.id),
    buyerKind: buyerKind('buyer_kind').notNull(),
    /** The unit the purchase counts for, as it was when the order was placed (null: an individual without a unit). */
    unitId: uuid('unit_id').references(() => organisations.id),
    merchantId: uuid('merchant_id')
      .notNull()
      .references(() => organisations.id),
    status: orderStatus('status').notNull().default('pending_payment'),
    totalFen: bigint('total_fen', { mode: 'number' }).notNull(),
    /** A government voucher applied at checkout (voucher_redemptions.mall_order_id): the buyer pays total − this. */
    couponDiscountFen: bigint('coupon_discount_fen', { mode: 'number' }).notNull().default(0),
    /** The unit asked for a negotiated price: the merchant may reprice before payment. */
    bulk: boolean('bulk').notNull().default(false),
    payMethod: payMethod('pay_method'),
    /** 自行采购报销: a unit's buyer paid personally; listed for the unit's reimbursement. */
    reimbursable: boolean('reimbursable').notNull().default(false),
    address: jsonb('address').$type<{ recipient: string; mobile: string; regionCode: string; regionName: string; detail: string }>().notNull(),
    note: text('note'),
    /** Unpaid orders end here (stock returns); none while an offline transfer awaits confirmation. */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    carrier: text('carrier'),
    trackingNo: text('tracking_no'),
    shippedAt: timestamp('shipped_at', { withTimezone: true }),
    receivedAt: timestamp('received_at', { withTimezone: true }),
    completesAt: timestamp('completes_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    cancelReason: text('cancel_reason'),
    refundStatus: text('refund_status'),
    refundReason: text('refund_reason'),
    refundedAt: timestamp('refunded_at', { withTimezone: true }),
    /** The status before a refund request, to go back to when the merchant declines. */
    statusBeforeRefund: orderStatus('status_before_refund'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('mall_orders_buyer_idx').on(t.buyerUserId, t.createdAt),
    index('mall_orders_merchant_idx').on(t.merchantId, t.status, t.createdAt),
    index('mall_orders_unit_idx').on(t.unitId, t.paidAt),
    index('mall_orders_due_idx')
      .on(t.expiresAt)
      .where(sql`${t.status} = 'pending_payment'`),
    check('mall_orders_total_positive', sql`${t.totalFen} > 0`),
  ],
);

export const mallOrderLines = pgTable(
  'mall_order_lines',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => mallOrders.id),
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id),
    /** Copies at order time: later edits of the product do not change the order. */
    name: text('name').notNull(),
    unit: text('unit').notNull(),
    categoryCode: text('category_code').notNull(),
    originCode: text('origin_code').notNull(),
    quantity: integer('quantity').notNull(),
    listPriceFen: bigint('list_price_fen', { mode: 'number' }).notNull(),
    /** The price charged: the list price, or the merchant's negotiated price. */
    priceFen: bigint('price_fen', { mode: 'number' }).notNull(),
  },
  (t) => [index('mall_order_lines_order_idx').on(t.orderId), check('mall_order_lines_positive', sql`${t.quantity} > 0 and ${t.priceFen} > 0`)],
);

/** The order's history: state changes, repricing (议价) with reasons, payments, refunds. */
export const mallOrderEvents = pgTable(
  'mall_order_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => mallOrders.id),
    type: text('type').notNull(),
    actorUserId: uuid('actor_user_id').references(() => users.id),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('mall_order_events_idx').on(t.orderId, t.createdAt)],
);

export const paymentStatus = pgEnum('mall_payment_status', ['pending', 'paid', 'failed', 'expired', 'rejected']);

/**
 * A payment of a checkout's orders: online through the gateway (one notice pays them all), or a
 * large offline transfer with its receipt, confirmed or rejected by an operator.
 */
export const mallPayments = pgTable(
  'mall_payments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    paymentNo: text('payment_no').notNull().unique(),
    orderIds: uuid('order_ids').array().notNull(),
    payerUserId: uuid('payer_user_id')
      .notNull()
      .references(() => users.id),
    method: payMethod('method').notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    bankCode: text('bank_code'),
    status: paymentStatus('status').notNull().default('pending'),
    /** Offline transfer: the uploaded receipt and the operator's decision. */
    receiptFileId: uuid('receipt_file_id').references(() => files.id),
    payerAccountName: text('payer_account_name'),
    rejectReason: text('reject_reason'),
    reviewedBy: uuid('reviewed_by').references(() => users.id),
    tradeNo: text('trade_no'),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('mall_payments_status_idx').on(t.method, t.status, t.createdAt), check('mall_payments_amount_positive', sql`${t.amountFen} > 0`)],
);

export type ProductRow = typeof products.$inferSelect;
export type MallOrderRow = typeof mallOrders.$inferSelect;
export type MallOrderLineRow = typeof mallOrderLines.$inferSelect;
export type MallPaymentRow = typeof mallPayments.$inferSelect;

/**
 * A visitor's cart (not signed in), found by the SHA-256 of the random token in the visitor's
 * httpOnly cookie (the table alone cannot be replayed). It lives on the server, not in a signed
 * cookie, so that merging it at sign-in can delete it: a replayed cookie then finds nothing to merge.
 * Expired carts are swept; their lines go with them.
 */
export const visitorCarts = pgTable(
  'visitor_carts',
  {
    id: text('id').primaryKey(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    /** Moved forward by every change (sliding expiry). */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('visitor_carts_expires_idx').on(t.expiresAt)],
);

export const visitorCartItems = pgTable(
  'visitor_cart_items',
  {
    cartId: text('cart_id')
      .notNull()
      .references(() => visitorCarts.id, { onDelete: 'cascade' }),
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id),
    quantity: integer('quantity').notNull(),
    selected: boolean('selected').notNull().default(true),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('visitor_cart_items_uq').on(t.cartId, t.productId), check('visitor_cart_items_quantity', sql`${t.quantity} between 1 and 99`)],
);

/**
 * A buyer's review of one line of a completed order: the product's and the merchant's stars, text and
 * up to three photos (files of purpose mall_review, subject: the review). One per order line (unique);
 * the merchant replies once (a conditional update on reply is null).
 */
export const mallReviews = pgTable(
  'mall_reviews',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderLineId: uuid('order_line_id')
      .notNull()
      .references(() => mallOrderLines.id),
    orderId: uuid('order_id')
      .notNull()
      .references(() => mallOrders.id),
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id),
    merchantId: uuid('merchant_id')
      .notNull()
      .references(() => organisations.id),
    buyerUserId: uuid('buyer_user_id')
      .notNull()
      .references(() => users.id),
    productStars: smallint('product_stars').notNull(),
    merchantStars: smallint('merchant_stars').notNull(),
    body: text('body').notNull().default(''),
    photoIds: jsonb('photo_ids').$type<string[]>().notNull().default([]),
    reply: text('reply'),
    repliedBy: uuid('replied_by').references(() => users.id),
    repliedAt: timestamp('replied_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('mall_reviews_line_uq').on(t.orderLineId),
    index('mall_reviews_product_idx').on(t.productId, t.createdAt),
    index('mall_reviews_merchant_idx').on(t.merchantId, t.createdAt),
    check('mall_reviews_stars', sql`${t.productStars} between 1 and 5 and ${t.merchantStars} between 1 and 5`),
  ],
);

export type MallReviewRow = typeof mallReviews.$inferSelect;
