import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, pgEnum, pgTable, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts';
import { organisations } from './organisations';
import { files } from './tenders';
import { bankCards, ledgerTransfers } from './wallet';

/**
 * Government consumption vouchers (政府消费券, manual 001): a commerce bureau's campaign with a funded
 * pool, timed issuances of coupon tiers that residents grab first come first served, merchants who
 * redeem them by the resident's payment code, and the settlement that pays the merchants.
 *
 * Money: the campaign has three ledger accounts (wallet context, `subject_id` = campaign id):
 * `voucher_pool` (funded, not yet issued, and every returned value), `voucher_issued` (value of the
 * coupons of started issuances: unissued stock and granted-unused coupons) and `voucher_payable`
 * (discount owed to merchants for redeemed coupons, until settlement).
 */

export const voucherCampaignStatus = pgEnum('voucher_campaign_status', ['draft', 'funded', 'settled', 'cancelled']);

/** 活动: one campaign of a bureau (organisation kind 'government'). */
export const voucherCampaigns = pgTable(
  'voucher_campaigns',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    bureauId: uuid('bureau_id')
      .notNull()
      .references(() => organisations.id),
    name: text('name').notNull(),
    /** 文号, e.g. 綦商务发〔2023〕80号. */
    documentNo: text('document_no').notNull(),
    budgetFen: bigint('budget_fen', { mode: 'number' }).notNull(),
    /** Coupons are usable until this instant (e.g. 2023-12-10 23:59 Asia/Shanghai); unused ones expire then. */
    validUntil: timestamp('valid_until', { withTimezone: true }).notNull(),
    /** Who may grab: null = every registered individual; else residents of these region codes (prefix match). */
    regionCodes: text('region_codes').array(),
    /** Coupons one user may take per issuance over all categories and tiers; null = one per category × tier only. */
    perIssuanceCap: smallint('per_issuance_cap'),
    status: voucherCampaignStatus('status').notNull().default('draft'),
    fundedAt: timestamp('funded_at', { withTimezone: true }),
    settledAt: timestamp('settled_at', { withTimezone: true }),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('voucher_campaigns_bureau_idx').on(t.bureauId, t.createdAt), check('voucher_campaigns_budget_positive', sql`${t.budgetFen} > 0`)],
);

/** 券类别: 通用券 / 餐饮券 …, each covering merchant categories (超市, 商场, 百货 …). */
export const voucherCategories = pgTable(
  'voucher_categories',
  {
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => voucherCampaigns.id),
    code: text('code').notNull(),
    name: text('name').notNull(),
    /** Merchant categories (codes of VOUCHER_MERCHANT_CATEGORIES) where coupons of this category apply. */
    merchantCategories: text('merchant_categories').array().notNull(),
    sort: smallint('sort').notNull().default(0),
  },
  (t) => [uniqueIndex('voucher_categories_pk').on(t.campaignId, t.code)],
);

export const voucherIssuanceStatus = pgEnum('voucher_issuance_status', ['scheduled', 'running', 'paused', 'stopped', 'finished']);

/** 发券批次: coupons released at `startsAt`; rows frozen once started. */
export const voucherIssuances = pgTable(
  'voucher_issuances',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => voucherCampaigns.id),
    /** 第 n 次发券 within the campaign, from 1. */
    seq: smallint('seq').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    status: voucherIssuanceStatus('status').notNull().default('scheduled'),
    /** Sum of count × discount of its tiers. */
    totalFen: bigint('total_fen', { mode: 'number' }).notNull(),
    /** When the issuance's value moved pool → issued (at start); null before. */
    allocatedAt: timestamp('allocated_at', { withTimezone: true }),
    /** Stopped: the unissued value went back to the pool. */
    stoppedAt: timestamp('stopped_at', { withTimezone: true }),
    returnedFen: bigint('returned_fen', { mode: 'number' }).notNull().default(0),
    /** Salt of the fairness log's hashed user ids, published with the log. */
    logSalt: text('log_salt').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('voucher_issuances_seq_uq').on(t.campaignId, t.seq), index('voucher_issuances_starts_idx').on(t.status, t.startsAt)],
);

/** 档次: one row of an issuance's table (category × tier): 满 threshold 减 discount, count coupons. */
export const voucherTiers = pgTable(
  'voucher_tiers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    issuanceId: uuid('issuance_id')
      .notNull()
      .references(() => voucherIssuances.id),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => voucherCampaigns.id),
    categoryCode: text('category_code').notNull(),
    /** 一档 = 1, 二档 = 2 … within the category. */
    tierNo: smallint('tier_no').notNull(),
    thresholdFen: bigint('threshold_fen', { mode: 'number' }).notNull(),
    discountFen: bigint('discount_fen', { mode: 'number' }).notNull(),
    count: integer('count').notNull(),
    /** Coupons granted so far; never above count (conditional update). */
    granted: integer('granted').notNull().default(0),
    /**
     * No grants while true (the issuance is paused or stopped). Grants and the stop both lock this row,
     * so the value a stop returns to the pool is exact.
     */
    closed: boolean('closed').notNull().default(false),
  },
  (t) => [
    uniqueIndex('voucher_tiers_uq').on(t.issuanceId, t.categoryCode, t.tierNo),
    check('voucher_tiers_granted_range', sql`${t.granted} >= 0 and ${t.granted} <= ${t.count}`),
    check('voucher_tiers_amounts', sql`${t.discountFen} > 0 and ${t.thresholdFen} > ${t.discountFen} and ${t.count} > 0`),
  ],
);

export const voucherStatus = pgEnum('voucher_status', ['unused', 'used', 'expired']);

/** 票券: one granted coupon. The unique index is the record of "one per user per tier per issuance". */
export const vouchers = pgTable(
  'vouchers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => voucherCampaigns.id),
    issuanceId: uuid('issuance_id')
      .notNull()
      .references(() => voucherIssuances.id),
    tierId: uuid('tier_id')
      .notNull()
      .references(() => voucherTiers.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    categoryCode: text('category_code').notNull(),
    thresholdFen: bigint('threshold_fen', { mode: 'number' }).notNull(),
    discountFen: bigint('discount_fen', { mode: 'number' }).notNull(),
    status: voucherStatus('status').notNull().default('unused'),
    /** Order of grant (increasing over all grants), for the fairness log. */
    grantSeq: bigint('grant_seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    grantedAt: timestamp('granted_at', { withTimezone: true }).notNull().defaultNow(),
    validUntil: timestamp('valid_until', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    expiredAt: timestamp('expired_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('vouchers_user_tier_uq').on(t.userId, t.tierId),
    index('vouchers_issuance_seq_idx').on(t.issuanceId, t.grantSeq),
    index('vouchers_user_idx').on(t.userId, t.status, t.validUntil),
    index('vouchers_campaign_status_idx').on(t.campaignId, t.status),
  ],
);

export const voucherMerchantStatus = pgEnum('voucher_merchant_status', ['pending', 'approved', 'rejected']);

/** 参与商户: a merchant enrolled in a campaign, reviewed by the bureau. */
export const voucherMerchants = pgTable(
  'voucher_merchants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => voucherCampaigns.id),
    /** The merchant's organisation on the platform (kind 'merchant'): its wallet is paid at settlement. */
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id),
    name: text('name').notNull(),
    address: text('address').notNull(),
    /** District / township (街镇) code, GB/T 2260 + township. */
    regionCode: text('region_code').notNull(),
    /** One of VOUCHER_MERCHANT_CATEGORIES (超市, 商场, 百货, 家电, 建材, 餐饮 …). */
    category: text('category').notNull(),
    /** 商户编号 (15 digits at UnionPay-like acquirers). */
    merchantNo: text('merchant_no').notNull(),
    photoFileId: uuid('photo_file_id').references(() => files.id),
    contactName: text('contact_name').notNull(),
    contactMobile: text('contact_mobile').notNull(),
    bankCardId: uuid('bank_card_id').references(() => bankCards.id),
    /** Also sells in the mall (消费帮扶馆): its mall checkout accepts the campaign's coupons. */
    mallStorefront: boolean('mall_storefront').notNull().default(false),
    status: voucherMerchantStatus('status').notNull().default('pending'),
    rejectReason: text('reject_reason'),
    reviewedBy: uuid('reviewed_by').references(() => users.id),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('voucher_merchants_org_uq').on(t.campaignId, t.organisationId),
    uniqueIndex('voucher_merchants_no_uq').on(t.campaignId, t.merchantNo),
    index('voucher_merchants_list_idx').on(t.campaignId, t.status, t.regionCode, t.category),
  ],
);

/** 付款码: single use, 60 seconds, bound to its user; only the hash of the secret token is kept. */
export const voucherPaymentCodes = pgTable(
  'voucher_payment_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    /** The digits shown under the QR code (18, with a check digit); unique among live codes. */
    digits: text('digits').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('voucher_payment_codes_digits_uq').on(t.digits), index('voucher_payment_codes_user_idx').on(t.userId, t.createdAt)],
);

export const voucherRedemptionStatus = pgEnum('voucher_redemption_status', ['awaiting_payment', 'paid', 'cancelled', 'refunded']);

/** 核销: one payment at a merchant with one coupon. A coupon has at most one live redemption. */
export const voucherRedemptions = pgTable(
  'voucher_redemptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** R + digits, shown on receipts. */
    redemptionNo: text('redemption_no').notNull(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => voucherCampaigns.id),
    voucherId: uuid('voucher_id')
      .notNull()
      .references(() => vouchers.id),
    merchantId: uuid('merchant_id')
      .notNull()
      .references(() => voucherMerchants.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    /** The resident's payment code (in-store); null for a mall order's coupon. */
    paymentCodeId: uuid('payment_code_id').references(() => voucherPaymentCodes.id),
    /** The mall order (mall_orders.id) whose checkout applied the coupon; null in-store. Its order's lifecycle, not the pay window, ends it. */
    mallOrderId: uuid('mall_order_id'),
    billFen: bigint('bill_fen', { mode: 'number' }).notNull(),
    discountFen: bigint('discount_fen', { mode: 'number' }).notNull(),
    /** What the resident pays: bill − discount. */
    payFen: bigint('pay_fen', { mode: 'number' }).notNull(),
    status: voucherRedemptionStatus('status').notNull().default('awaiting_payment'),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    refundedAt: timestamp('refunded_at', { withTimezone: true }),
    /** The transfer that moved the discount issued → payable. */
    discountTransferId: uuid('discount_transfer_id').references(() => ledgerTransfers.id),
    settlementId: uuid('settlement_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('voucher_redemptions_no_uq').on(t.redemptionNo),
    uniqueIndex('voucher_redemptions_code_uq').on(t.paymentCodeId),
    // One live (awaiting or paid) redemption per coupon: concurrent redemptions of one coupon, one wins.
    uniqueIndex('voucher_redemptions_live_uq')
      .on(t.voucherId)
      .where(sql`${t.status} in ('awaiting_payment', 'paid', 'refunded')`),
    index('voucher_redemptions_merchant_idx').on(t.merchantId, t.createdAt),
    index('voucher_redemptions_campaign_idx').on(t.campaignId, t.status),
  ],
);

/** 结算: one per campaign and merchant; pays the discount owed from the payable account to the merchant's wallet. */
export const voucherSettlements = pgTable(
  'voucher_settlements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => voucherCampaigns.id),
    merchantId: uuid('merchant_id')
      .notNull()
      .references(() => voucherMerchants.id),
    redemptions: integer('redemptions').notNull(),
    discountFen: bigint('discount_fen', { mode: 'number' }).notNull(),
    billFen: bigint('bill_fen', { mode: 'number' }).notNull(),
    transferId: uuid('transfer_id').references(() => ledgerTransfers.id),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('voucher_settlements_uq').on(t.campaignId, t.merchantId)],
);
