import { sql } from 'drizzle-orm';
import { index, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { users } from './accounts';

/** Every kind of organisation on the platform; later contexts add behaviour, not new tables. */
export const organisationKind = pgEnum('organisation_kind', ['enterprise', 'provider', 'unit', 'merchant', 'government', 'budget_unit', 'platform']);

export const memberRole = pgEnum('member_role', ['owner', 'admin', 'finance', 'member', 'buyer']);
export const organisationStatus = pgEnum('organisation_status', ['active', 'disabled']);

export const organisations = pgTable(
  'organisations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: organisationKind('kind').notNull(),
    fullName: text('full_name').notNull(),
    /** 18-char unified social credit code, upper case; null for kinds that have none. */
    uscc: text('uscc'),
    regionCode: text('region_code'),
    parentId: uuid('parent_id').references((): AnyPgColumn => organisations.id),
    status: organisationStatus('status').notNull().default('active'),
    /** Short public introduction (storefronts, unit pages). */
    intro: text('intro'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('organisations_kind_uscc_uq')
      .on(t.kind, t.uscc)
      .where(sql`${t.uscc} is not null`),
    index('organisations_parent_idx').on(t.parentId),
    index('organisations_full_name_idx').on(t.fullName),
  ],
);

export const memberships = pgTable(
  'memberships',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    role: memberRole('role').notNull().default('member'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.organisationId] }), index('memberships_org_idx').on(t.organisationId)],
);
