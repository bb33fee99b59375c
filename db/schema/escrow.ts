import { sql } from 'drizzle-orm';
import { bigint, check, date, index, integer, jsonb, pgEnum, pgTable, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts';
import { organisations } from './organisations';
import { bytea, requirements } from './tenders';

/**
 * After a provider is selected: the agreement (协议) and its versions, escrow (托管合同款) per
 * milestone (里程碑), deliveries and acceptance (项目监理), after-sales cases (售后), termination, and
 * reviews (评价). Money only moves through the ledger; these rows record what each movement was for.
 */

export const agreementStatus = pgEnum('agreement_status', ['draft', 'sent', 'returned', 'confirmed', 'terminated']);
export const releaseMode = pgEnum('release_mode', ['per_milestone', 'at_completion']);

export const agreements = pgTable(
  'agreements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    agreementNo: text('agreement_no').notNull().unique(),
    requirementId: uuid('requirement_id')
      .notNull()
      .references(() => requirements.id),
    enterpriseId: uuid('enterprise_id')
      .notNull()
      .references(() => organisations.id),
    providerId: uuid('provider_id')
      .notNull()
      .references(() => organisations.id),
    status: agreementStatus('status').notNull().default('draft'),
    /** The current version (agreement_versions); confirmed content never changes. */
    version: integer('version').notNull().default(1),
    scope: text('scope').notNull(),
    totalFen: bigint('total_fen', { mode: 'number' }).notNull(),
    startDate: date('start_date').notNull(),
    endDate: date('end_date').notNull(),
    paymentMode: text('payment_mode').notNull(),
    releaseMode: releaseMode('release_mode').notNull(),
    /** Platform fee in basis points, fixed when the agreement is confirmed. */
    feeBp: integer('fee_bp').notNull().default(0),
    returnComment: text('return_comment'),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
    confirmedBy: uuid('confirmed_by').references(() => users.id),
    /** SHA-256 of the canonical content (shown in the document). */
    contentSha256: text('content_sha256'),
    /** The formal PDF, made once from the confirmed content and kept. */
    pdf: bytea('pdf'),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    terminatedAt: timestamp('terminated_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('agreements_live_uq')
      .on(t.requirementId)
      .where(sql`${t.status} <> 'terminated'`),
    index('agreements_enterprise_idx').on(t.enterpriseId, t.updatedAt),
    index('agreements_provider_idx').on(t.providerId, t.updatedAt),
    check('agreements_total_positive', sql`${t.totalFen} > 0`),
  ],
);

/** Every version the provider sent, with the enterprise's comments when it was returned. */
export const agreementVersions = pgTable(
  'agreement_versions',
  {
    agreementId: uuid('agreement_id')
      .notNull()
      .references(() => agreements.id),
    version: integer('version').notNull(),
    content: jsonb('content').notNull(),
    sentBy: uuid('sent_by').references(() => users.id),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    returnComment: text('return_comment'),
    returnedAt: timestamp('returned_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('agreement_versions_uq').on(t.agreementId, t.version)],
);

export const milestoneStatus = pgEnum('milestone_status', ['unfunded', 'funded', 'delivered', 'accepted', 'released', 'refunded']);

export const milestones = pgTable(
  'milestones',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    agreementId: uuid('agreement_id')
      .notNull()
      .references(() => agreements.id),
    seq: smallint('seq').notNull(),
    title: text('title').notNull(),
    deliverables: text('deliverables').notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    dueDate: date('due_date').notNull(),
    status: milestoneStatus('status').notNull().default('unfunded'),
    /** Money of this milestone: in escrow = funded − released − refunded. */
    fundedFen: bigint('funded_fen', { mode: 'number' }).notNull().default(0),
    releasedFen: bigint('released_fen', { mode: 'number' }).notNull().default(0),
    refundedFen: bigint('refunded_fen', { mode: 'number' }).notNull().default(0),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    /** 5 working days after delivery: operators are asked to remind the enterprise. */
    reminderDueAt: timestamp('reminder_due_at', { withTimezone: true }),
    remindedAt: timestamp('reminded_at', { withTimezone: true }),
    /** 2 further working days: deemed accepted. */
    autoAcceptAt: timestamp('auto_accept_at', { withTimezone: true }),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    autoAccepted: smallint('auto_accepted').notNull().default(0),
    releasedAt: timestamp('released_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('milestones_seq_uq').on(t.agreementId, t.seq),
    index('milestones_auto_accept_idx')
      .on(t.autoAcceptAt)
      .where(sql`${t.status} = 'delivered'`),
    check(
      'milestones_amounts',
      sql`${t.amountFen} > 0 and ${t.fundedFen} >= 0 and ${t.releasedFen} >= 0 and ${t.refundedFen} >= 0 and ${t.releasedFen} + ${t.refundedFen} <= ${t.fundedFen} and ${t.fundedFen} <= ${t.amountFen}`,
    ),
  ],
);

/** The timeline of a milestone: deliveries, returns, acceptance, reminders, release. */
export const milestoneEvents = pgTable(
  'milestone_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    milestoneId: uuid('milestone_id')
      .notNull()
      .references(() => milestones.id),
    type: text('type').notNull(),
    actorUserId: uuid('actor_user_id').references(() => users.id),
    note: text('note'),
    attachmentIds: jsonb('attachment_ids').$type<string[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('milestone_events_idx').on(t.milestoneId, t.createdAt)],
);

export const caseStatus = pgEnum('after_sales_status', ['open', 'responded', 'escalated', 'decided', 'withdrawn']);

/** 售后: opened by the enterprise during work or within 30 days of completion; holds unreleased escrow. */
export const afterSalesCases = pgTable(
  'after_sales_cases',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseNo: text('case_no').notNull().unique(),
    agreementId: uuid('agreement_id')
      .notNull()
      .references(() => agreements.id),
    openedBy: uuid('opened_by')
      .notNull()
      .references(() => users.id),
    reason: text('reason').notNull(),
    status: caseStatus('status').notNull().default('open'),
    /** Unreleased escrow at the moment of the decision, split between the two sides. */
    refundFen: bigint('refund_fen', { mode: 'number' }),
    payFen: bigint('pay_fen', { mode: 'number' }),
    decisionReason: text('decision_reason'),
    decidedBy: uuid('decided_by').references(() => users.id),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    // One open case per agreement at a time.
    uniqueIndex('after_sales_open_uq')
      .on(t.agreementId)
      .where(sql`${t.status} in ('open', 'responded', 'escalated')`),
  ],
);

export const caseEvents = pgTable(
  'after_sales_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => afterSalesCases.id),
    type: text('type').notNull(),
    side: text('side').notNull(),
    actorUserId: uuid('actor_user_id').references(() => users.id),
    body: text('body').notNull().default(''),
    attachmentIds: jsonb('attachment_ids').$type<string[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('after_sales_events_idx').on(t.caseId, t.createdAt)],
);

export const terminationStatus = pgEnum('termination_status', ['proposed', 'accepted', 'declined', 'cancelled', 'decided']);

/** Ending a project early: one side proposes a split of the escrow and the other accepts, or an operator decides. */
export const terminations = pgTable(
  'terminations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    agreementId: uuid('agreement_id')
      .notNull()
      .references(() => agreements.id),
    proposedBySide: text('proposed_by_side').notNull(),
    proposedBy: uuid('proposed_by')
      .notNull()
      .references(() => users.id),
    refundFen: bigint('refund_fen', { mode: 'number' }).notNull(),
    payFen: bigint('pay_fen', { mode: 'number' }).notNull(),
    reason: text('reason').notNull(),
    status: terminationStatus('status').notNull().default('proposed'),
    answeredBy: uuid('answered_by').references(() => users.id),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('terminations_open_uq')
      .on(t.agreementId)
      .where(sql`${t.status} = 'proposed'`),
  ],
);

/** 评价: each side rates the other once after completion; the rated side may reply once. */
export const reviews = pgTable(
  'reviews',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    agreementId: uuid('agreement_id')
      .notNull()
      .references(() => agreements.id),
    reviewerOrgId: uuid('reviewer_org_id')
      .notNull()
      .references(() => organisations.id),
    revieweeOrgId: uuid('reviewee_org_id')
      .notNull()
      .references(() => organisations.id),
    reviewerUserId: uuid('reviewer_user_id')
      .notNull()
      .references(() => users.id),
    quality: smallint('quality').notNull(),
    timeliness: smallint('timeliness').notNull(),
    communication: smallint('communication').notNull(),
    body: text('body').notNull().default(''),
    reply: text('reply'),
    repliedAt: timestamp('replied_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('reviews_once_uq').on(t.agreementId, t.reviewerOrgId),
    index('reviews_reviewee_idx').on(t.revieweeOrgId, t.createdAt),
    check('reviews_stars', sql`${t.quality} between 1 and 5 and ${t.timeliness} between 1 and 5 and ${t.communication} between 1 and 5`),
  ],
);

export type AgreementRow = typeof agreements.$inferSelect;
export type MilestoneRow = typeof milestones.$inferSelect;
export type CaseRow = typeof afterSalesCases.$inferSelect;
