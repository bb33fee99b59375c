import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from './accounts';
import { mallOrders } from './mall';
import { organisations } from './organisations';
import { files } from './tenders';

/**
 * Purchase-record monitoring (消费扶贫监测, manual 002): the province and each prefecture-level city's
 * poverty-alleviation department, the reporting channels they open (wholesale markets, chain
 * supermarkets, local e-commerce platforms, and the wholesalers and stores under the first two),
 * self-registered enterprises, and the purchase records they file, reviewed at two levels.
 */

/** What a monitoring unit is: a department (province, city) or a reporting channel. */
export const monitoringUnitKind = pgEnum('monitoring_unit_kind', ['province', 'city', 'market', 'chain', 'ecommerce', 'enterprise', 'wholesaler', 'store']);
/** A person's part in monitoring: a department's administrator or auditor, or a channel's account. */
export const monitoringRole = pgEnum('monitoring_role', ['admin', 'auditor', 'reporter']);
/** 填报类型: 上半年购销信息补登 (an earlier period) or 购销信息登记 (regular). */
export const monitoringFilingType = pgEnum('monitoring_filing_type', ['backfill', 'regular']);
/** draft → 已填报 (filed, with the parent market or chain) → 已提交 (submitted, with the department) → 审核通过 | 退回修改. */
export const monitoringStatus = pgEnum('monitoring_status', ['draft', 'filed', 'submitted', 'approved', 'returned']);
/** Evidence: 发票, 合同, 运单, 其他佐证材料, or a completed mall order. */
export const monitoringEvidenceKind = pgEnum('monitoring_evidence_kind', ['invoice', 'contract', 'waybill', 'other', 'mall_order']);

/** An organisation taking part in monitoring and where it sits: whom it reports to and which department reviews it. */
export const monitoringUnits = pgTable(
  'monitoring_units',
  {
    organisationId: uuid('organisation_id')
      .primaryKey()
      .references(() => organisations.id),
    kind: monitoringUnitKind('kind').notNull(),
    /** The first-level reviewer (the market of a wholesaler, the chain of a store), else the department it reports to; null for the province. */
    parentId: uuid('parent_id').references(() => organisations.id),
    /** The department that gives the final review: the city's, or the province's for units listed directly under it (单列); null for the province. */
    departmentId: uuid('department_id').references(() => organisations.id),
    /** GB/T 2260 code of the prefecture-level city the unit is attributed to (按注册地归口); null for the province and units listed under it. */
    cityCode: text('city_code'),
    contactName: text('contact_name').notNull(),
    contactMobile: text('contact_mobile').notNull(),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('monitoring_units_parent_idx').on(t.parentId, t.kind), index('monitoring_units_department_idx').on(t.departmentId, t.kind)],
);

/** One mobile, one account: a person belongs to exactly one monitoring unit (the primary key). */
export const monitoringMembers = pgTable(
  'monitoring_members',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id),
    role: monitoringRole('role').notNull(),
    contactName: text('contact_name').notNull(),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('monitoring_members_organisation_idx').on(t.organisationId)],
);

/** Filing periods the province configures (e.g. 2026 年上半年补登, 2026 年 7 月起登记). */
export const monitoringPeriods = pgTable(
  'monitoring_periods',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    filingType: monitoringFilingType('filing_type').notNull(),
    name: text('name').notNull(),
    startsOn: date('starts_on').notNull(),
    endsOn: date('ends_on').notNull(),
    /** Records may be filed against it. */
    open: boolean('open').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('monitoring_periods_name_uq').on(t.name), check('monitoring_periods_range', sql`${t.startsOn} <= ${t.endsOn}`)],
);

/** The maintained list of assisted counties (GB/T 2260), with their province and city. */
export const monitoringCounties = pgTable(
  'monitoring_counties',
  {
    code: text('code').primaryKey(),
    provinceCode: text('province_code').notNull(),
    provinceName: text('province_name').notNull(),
    cityCode: text('city_code').notNull(),
    cityName: text('city_name').notNull(),
    name: text('name').notNull(),
    active: boolean('active').notNull().default(true),
  },
  (t) => [index('monitoring_counties_city_idx').on(t.cityCode)],
);

/** 购销记录. */
export const monitoringRecords = pgTable(
  'monitoring_records',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    reporterId: uuid('reporter_id')
      .notNull()
      .references(() => organisations.id),
    reporterKind: monitoringUnitKind('reporter_kind').notNull(),
    /** The first-level reviewer (market or chain) of a wholesaler's or store's record; null when the record goes straight to the department. */
    parentId: uuid('parent_id').references(() => organisations.id),
    /** The department that gives the final review. */
    departmentId: uuid('department_id')
      .notNull()
      .references(() => organisations.id),
    /** The reporter's city (GB/T 2260), null for units listed directly under the province. */
    cityCode: text('city_code'),
    filingType: monitoringFilingType('filing_type').notNull(),
    periodId: uuid('period_id')
      .notNull()
      .references(() => monitoringPeriods.id),
    /** 是否直接向扶贫地区原产地采购. */
    directFromOrigin: boolean('direct_from_origin').notNull(),
    originProvinceCode: text('origin_province_code').notNull(),
    originCityCode: text('origin_city_code').notNull(),
    originCountyCode: text('origin_county_code')
      .notNull()
      .references(() => monitoringCounties.code),
    category: text('category').notNull(),
    productName: text('product_name').notNull(),
    unit: text('unit').notNull(),
    quantity: numeric('quantity', { precision: 16, scale: 3 }).notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    status: monitoringStatus('status').notNull().default('draft'),
    /** The content version: 1 at creation, +1 when a returned record is edited again. */
    version: integer('version').notNull().default(1),
    /** Every change (content or status) moves it by one: a decision names the seq it saw (stale ones answer 409). */
    seq: integer('seq').notNull().default(0),
    /** The last return's reason and level ('parent' | 'department'), cleared on resubmission. */
    returnReason: text('return_reason'),
    returnedBy: text('returned_by'),
    /** The completed mall order the record was made from: an order becomes at most one record. */
    mallOrderId: uuid('mall_order_id').references(() => mallOrders.id),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    filedAt: timestamp('filed_at', { withTimezone: true }),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    approvedAt: timestamp('approved_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('monitoring_records_mall_order_uq').on(t.mallOrderId),
    index('monitoring_records_reporter_idx').on(t.reporterId, t.status, t.updatedAt),
    index('monitoring_records_parent_idx').on(t.parentId, t.status, t.updatedAt),
    index('monitoring_records_department_idx').on(t.departmentId, t.status, t.updatedAt),
    index('monitoring_records_city_idx').on(t.cityCode, t.status, t.updatedAt),
    index('monitoring_records_status_idx').on(t.status, t.updatedAt),
    check('monitoring_records_amount_positive', sql`${t.amountFen} > 0`),
    check('monitoring_records_quantity_positive', sql`${t.quantity} > 0`),
  ],
);

/** Every transition and edit of a record, one row per change (seq is the record's seq after the change). */
export const monitoringRecordEvents = pgTable(
  'monitoring_record_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    recordId: uuid('record_id')
      .notNull()
      .references(() => monitoringRecords.id),
    seq: integer('seq').notNull(),
    /** create | edit | submit | approve | return | withdraw … (the machine's actions). */
    action: text('action').notNull(),
    fromStatus: monitoringStatus('from_status'),
    toStatus: monitoringStatus('to_status').notNull(),
    /** 'reporter' | 'parent' | 'department'. */
    level: text('level').notNull(),
    actorUserId: uuid('actor_user_id')
      .notNull()
      .references(() => users.id),
    actorOrganisationId: uuid('actor_organisation_id')
      .notNull()
      .references(() => organisations.id),
    comment: text('comment'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('monitoring_record_events_seq_uq').on(t.recordId, t.seq)],
);

/** The content of each earlier version of a record (kept when a returned record is edited). */
export const monitoringRecordVersions = pgTable(
  'monitoring_record_versions',
  {
    recordId: uuid('record_id')
      .notNull()
      .references(() => monitoringRecords.id),
    version: integer('version').notNull(),
    content: jsonb('content').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.recordId, t.version] })],
);

/** A record's evidence: an uploaded file (invoice, contract, waybill, other) or the mall order it was made from. */
export const monitoringEvidence = pgTable(
  'monitoring_evidence',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    recordId: uuid('record_id')
      .notNull()
      .references(() => monitoringRecords.id),
    kind: monitoringEvidenceKind('kind').notNull(),
    fileId: uuid('file_id').references(() => files.id),
    mallOrderId: uuid('mall_order_id').references(() => mallOrders.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('monitoring_evidence_record_idx').on(t.recordId),
    uniqueIndex('monitoring_evidence_file_uq').on(t.recordId, t.fileId),
    check('monitoring_evidence_one_source', sql`(${t.fileId} is null) <> (${t.mallOrderId} is null)`),
  ],
);
