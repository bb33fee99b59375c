import { sql } from 'drizzle-orm';
import { bigint, check, customType, index, integer, jsonb, pgEnum, pgTable, real, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts';
import { organisations } from './organisations';

export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' });
export const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/**
 * Uploaded files (attachments, logos, case images). Stored in Postgres so every web and realtime node
 * serves the same bytes; size is capped by the upload boundary. `purpose` + `subjectId` say what a
 * file is attached to, and therefore who may read it.
 */
export const files = pgTable(
  'files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The uploading organisation; null for a person acting for none (an individual buyer's review photos). */
    organisationId: uuid('organisation_id').references(() => organisations.id),
    uploadedBy: uuid('uploaded_by')
      .notNull()
      .references(() => users.id),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    sha256: text('sha256').notNull(),
    /** 'requirement' | 'proposal' | 'negotiation' | 'storefront'; null until attached. */
    purpose: text('purpose'),
    subjectId: uuid('subject_id'),
    data: bytea('data').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('files_subject_idx').on(t.purpose, t.subjectId), index('files_org_idx').on(t.organisationId, t.createdAt)],
);

/** Operator-configurable numbers (deposit amounts …): one row per key, value as JSON. */
export const platformSettings = pgTable('platform_settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedBy: uuid('updated_by'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Two-level tree of SME service kinds (财税 › 代理记账 …), seeded by migration. */
export const serviceCategories = pgTable(
  'service_categories',
  {
    code: text('code').primaryKey(),
    parentCode: text('parent_code'),
    name: text('name').notNull(),
    sort: smallint('sort').notNull().default(0),
  },
  (t) => [index('service_categories_parent_idx').on(t.parentCode, t.sort)],
);

export const requirementState = pgEnum('requirement_state', [
  'draft',
  'pending_review',
  'rejected',
  'open',
  'abandoned',
  'withdrawn',
  'awarded',
  'in_progress',
  'completed',
  'closed',
]);
export const tenderMode = pgEnum('tender_mode', ['competitive', 'invitation']);
export const paymentMode = pgEnum('payment_mode', ['full_escrow', 'instalments']);
export const depositStatus = pgEnum('deposit_status', ['none', 'held', 'refunded', 'partly_refunded']);

/** 需求 / 项目: what an enterprise wants done, and where its tender stands. */
export const requirements = pgTable(
  'requirements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Human-facing number, e.g. XQ20261123000123. */
    requirementNo: text('requirement_no').notNull(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id),
    /** The enterprise's real full name as typed for the invoice. */
    invoiceName: text('invoice_name').notNull(),
    title: text('title').notNull(),
    categoryCode: text('category_code')
      .notNull()
      .references(() => serviceCategories.code),
    /** Sanitised HTML. */
    descriptionHtml: text('description_html').notNull(),
    /** Plain text of the description, for search and list excerpts. */
    descriptionText: text('description_text').notNull(),
    budgetMinFen: bigint('budget_min_fen', { mode: 'number' }).notNull(),
    budgetMaxFen: bigint('budget_max_fen', { mode: 'number' }).notNull(),
    deliveryDate: text('delivery_date').notNull(),
    /** GB/T 2260 code of the province or city. */
    regionCode: text('region_code').notNull(),
    mode: tenderMode('mode').notNull(),
    paymentMode: paymentMode('payment_mode').notNull(),
    openingAt: timestamp('opening_at', { withTimezone: true }),
    minBidders: smallint('min_bidders'),
    state: requirementState('state').notNull().default('draft'),
    /** Which tender round this is; an abandoned round re-tendered starts the next. */
    round: smallint('round').notNull().default(1),
    depositFen: bigint('deposit_fen', { mode: 'number' }).notNull().default(0),
    depositStatus: depositStatus('deposit_status').notNull().default('none'),
    /** How many times a deposit was paid (a resubmission after rejection pays again). */
    depositSeq: smallint('deposit_seq').notNull().default(0),
    rejectReason: text('reject_reason'),
    /** Set at an abandon: were there fewer bidders than the minimum (ending is then free)? */
    abandonedFree: smallint('abandoned_free'),
    selectedProviderId: uuid('selected_provider_id').references(() => organisations.id),
    reviewedBy: uuid('reviewed_by'),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    searchVector: tsvector('search_vector'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('requirements_no_uq').on(t.requirementNo),
    index('requirements_org_idx').on(t.organisationId, t.state, t.updatedAt),
    index('requirements_hall_idx').on(t.state, t.mode, t.categoryCode),
    index('requirements_search_idx').using('gin', t.searchVector),
    check('requirements_budget_order', sql`${t.budgetMinFen} >= 0 and ${t.budgetMinFen} <= ${t.budgetMaxFen}`),
  ],
);

export const proposalStatus = pgEnum('proposal_status', ['active', 'withdrawn', 'selected', 'not_selected']);

/** 标书: one live proposal per provider per requirement (partial unique index). */
export const proposals = pgTable(
  'proposals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    requirementId: uuid('requirement_id')
      .notNull()
      .references(() => requirements.id),
    providerId: uuid('provider_id')
      .notNull()
      .references(() => organisations.id),
    submittedBy: uuid('submitted_by')
      .notNull()
      .references(() => users.id),
    round: smallint('round').notNull(),
    priceFen: bigint('price_fen', { mode: 'number' }).notNull(),
    plan: text('plan').notNull(),
    timeline: text('timeline').notNull(),
    status: proposalStatus('status').notNull().default('active'),
    revision: integer('revision').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('proposals_live_uq')
      .on(t.requirementId, t.providerId)
      .where(sql`${t.status} = 'active'`),
    index('proposals_provider_idx').on(t.providerId, t.updatedAt),
    // A room's standings read a requirement's proposals on every bid (rooms.repo.ts STANDINGS).
    index('proposals_requirement_idx').on(t.requirementId, t.status),
    check('proposals_price_positive', sql`${t.priceFen} > 0`),
  ],
);

export const invitationStatus = pgEnum('invitation_status', ['pending', 'accepted', 'declined', 'selected', 'dropped', 'cancelled']);

/** 邀标: an enterprise invites a provider to one of its invitation requirements. */
export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    requirementId: uuid('requirement_id')
      .notNull()
      .references(() => requirements.id),
    providerId: uuid('provider_id')
      .notNull()
      .references(() => organisations.id),
    invitedBy: uuid('invited_by')
      .notNull()
      .references(() => users.id),
    status: invitationStatus('status').notNull().default('pending'),
    note: text('note'),
    respondedAt: timestamp('responded_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('invitations_pair_uq').on(t.requirementId, t.providerId), index('invitations_provider_idx').on(t.providerId, t.createdAt)],
);

/**
 * 洽谈 (and, from the rooms issue, 交谈): one persisted thread per requirement and provider.
 * `seq` orders the thread; `readAt` is the other side's read receipt.
 */
export const negotiationMessages = pgTable(
  'negotiation_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    requirementId: uuid('requirement_id')
      .notNull()
      .references(() => requirements.id),
    providerId: uuid('provider_id')
      .notNull()
      .references(() => organisations.id),
    senderOrgId: uuid('sender_org_id')
      .notNull()
      .references(() => organisations.id),
    senderUserId: uuid('sender_user_id')
      .notNull()
      .references(() => users.id),
    body: text('body').notNull(),
    attachmentIds: jsonb('attachment_ids').$type<string[]>().notNull().default([]),
    /** Client-supplied id: a resent message is stored once. */
    clientId: text('client_id'),
    /** Live chat: when the other side's client received it (delivery receipt). */
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    readAt: timestamp('read_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('negotiation_thread_idx').on(t.requirementId, t.providerId, t.createdAt),
    uniqueIndex('negotiation_client_uq')
      .on(t.senderUserId, t.clientId)
      .where(sql`${t.clientId} is not null`),
  ],
);

/** 店铺: a provider's public profile. Ratings are maintained by the reviews context. */
export const storefronts = pgTable('storefronts', {
  organisationId: uuid('organisation_id')
    .primaryKey()
    .references(() => organisations.id),
  logoFileId: uuid('logo_file_id').references(() => files.id),
  introduction: text('introduction').notNull().default(''),
  qualifications: text('qualifications').notNull().default(''),
  /** Province or city codes the provider serves; empty = nationwide. */
  regionsServed: jsonb('regions_served').$type<string[]>().notNull().default([]),
  /** Top-level category codes the provider works in (from its service items and its own choice). */
  categoryCodes: jsonb('category_codes').$type<string[]>().notNull().default([]),
  contactPhone: text('contact_phone'),
  ratingAvg: real('rating_avg'),
  ratingCount: integer('rating_count').notNull().default(0),
  searchVector: tsvector('search_vector'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const serviceItemStatus = pgEnum('service_item_status', ['listed', 'unlisted']);

/** A provider's catalog entry: what it sells and for about how much. */
export const serviceItems = pgTable(
  'service_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id),
    title: text('title').notNull(),
    categoryCode: text('category_code')
      .notNull()
      .references(() => serviceCategories.code),
    priceMinFen: bigint('price_min_fen', { mode: 'number' }).notNull(),
    priceMaxFen: bigint('price_max_fen', { mode: 'number' }).notNull(),
    priceUnit: text('price_unit').notNull().default('次'),
    description: text('description').notNull().default(''),
    status: serviceItemStatus('status').notNull().default('listed'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('service_items_org_idx').on(t.organisationId, t.status),
    check('service_items_price_order', sql`${t.priceMinFen} > 0 and ${t.priceMinFen} <= ${t.priceMaxFen}`),
  ],
);

/** A provider's showcase case (案例). */
export const providerCases = pgTable(
  'provider_cases',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id),
    title: text('title').notNull(),
    clientName: text('client_name'),
    year: smallint('year'),
    description: text('description').notNull().default(''),
    imageFileId: uuid('image_file_id').references(() => files.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('provider_cases_org_idx').on(t.organisationId, t.createdAt)],
);

/** What happened to a requirement, in order (review, deposit, withdraw …), for both parties and operators. */
export const requirementEvents = pgTable(
  'requirement_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    requirementId: uuid('requirement_id')
      .notNull()
      .references(() => requirements.id),
    actorUserId: uuid('actor_user_id'),
    event: text('event').notNull(),
    fromState: requirementState('from_state'),
    toState: requirementState('to_state'),
    detail: jsonb('detail'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('requirement_events_req_idx').on(t.requirementId, t.createdAt)],
);
