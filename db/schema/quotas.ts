import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgEnum, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts';
import { organisations } from './organisations';

/**
 * Budget-unit procurement quotas (预算单位预留份额, manual 003): finance and central departments and the
 * budget units under them (organisations of kind 'budget_unit'), the tree as a closure table, each
 * unit's annual produce procurement amount and reserved ratio, and the purchasers (trading accounts)
 * that buy in the mall for the unit.
 */

/** 预算级次. */
export const budgetLevel = pgEnum('budget_level', ['中央', '省', '市', '县', '乡']);
/** What the organisation is in the tree: a preset department (root or finance bureau) or a budget unit. */
export const budgetUnitRole = pgEnum('budget_unit_role', ['central_dept', 'finance_dept', 'unit']);

export const budgetUnits = pgTable(
  'budget_units',
  {
    organisationId: uuid('organisation_id')
      .primaryKey()
      .references(() => organisations.id),
    role: budgetUnitRole('role').notNull().default('unit'),
    /** 上级预算单位 (null: a preset department at the top of the tree). */
    superiorId: uuid('superior_id').references(() => organisations.id),
    contactName: text('contact_name').notNull(),
    contactMobile: text('contact_mobile').notNull(),
    budgetLevel: budgetLevel('budget_level').notNull(),
    /** 行政级次 (部级 / 厅局级 / 县处级 / 乡科级 / 其他). */
    adminLevel: text('admin_level'),
    /** 年度农副产品采购额 in fen. */
    annualFen: bigint('annual_fen', { mode: 'number' }).notNull().default(0),
    /** 拟预留比例 in basis points (0–10000). */
    ratioBp: integer('ratio_bp').notNull().default(0),
    /** The management account was generated (login and activation code sent). */
    accountAt: timestamp('account_at', { withTimezone: true }),
    /** The management account (its owner), once generated: an existing account of the mobile or a new one. */
    accountUserId: uuid('account_user_id').references(() => users.id),
    /** The unit confirmed its profile (levels) at first sign-in. */
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('budget_units_superior_idx').on(t.superiorId),
    check('budget_units_ratio_range', sql`${t.ratioBp} between 0 and 10000`),
    check('budget_units_annual_non_negative', sql`${t.annualFen} >= 0`),
  ],
);

/** Every (ancestor, descendant) pair of the tree, itself included at depth 0: "acts over its subtree" is one lookup. */
export const budgetUnitTree = pgTable(
  'budget_unit_tree',
  {
    ancestorId: uuid('ancestor_id')
      .notNull()
      .references(() => organisations.id),
    descendantId: uuid('descendant_id')
      .notNull()
      .references(() => organisations.id),
    depth: smallint('depth').notNull(),
  },
  (t) => [primaryKey({ columns: [t.ancestorId, t.descendantId] }), index('budget_unit_tree_descendant_idx').on(t.descendantId, t.depth)],
);

/** 采购人: who buys for a budget unit; its trading account is a member of the unit with the buyer role. */
export const quotaPurchasers = pgTable(
  'quota_purchasers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    budgetUnitId: uuid('budget_unit_id')
      .notNull()
      .references(() => organisations.id),
    name: text('name').notNull(),
    uscc: text('uscc').notNull(),
    kind: text('kind').notNull(),
    contactName: text('contact_name').notNull(),
    mobile: text('mobile').notNull(),
    /** The trading account, once generated. */
    userId: uuid('user_id').references(() => users.id),
    accountAt: timestamp('account_at', { withTimezone: true }),
    activatedAt: timestamp('activated_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('quota_purchasers_uscc_uq').on(t.uscc), index('quota_purchasers_unit_idx').on(t.budgetUnitId, t.createdAt)],
);
