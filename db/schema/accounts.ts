import { sql } from 'drizzle-orm';
import { index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const userStatus = pgEnum('user_status', ['active', 'disabled']);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Letters and digits, 4–20; stored as typed, unique case-insensitively. */
    username: text('username').notNull(),
    mobile: text('mobile').notNull(),
    email: text('email'),
    passwordHash: text('password_hash').notNull(),
    displayName: text('display_name'),
    status: userStatus('status').notNull().default('active'),
    locale: text('locale').notNull().default('zh-CN'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }).notNull().defaultNow(),
    /** The 用户协议 and 隐私政策 versions accepted at registration, and when (null: created by an operator or import). */
    termsVersion: integer('terms_version'),
    privacyVersion: integer('privacy_version'),
    agreedAt: timestamp('agreed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('users_username_uq').on(sql`lower(${t.username})`),
    uniqueIndex('users_mobile_uq').on(t.mobile),
    uniqueIndex('users_email_uq')
      .on(sql`lower(${t.email})`)
      .where(sql`${t.email} is not null`),
  ],
);

export const sessionKind = pgEnum('session_kind', ['cookie', 'bearer']);

/** Server-side sessions: the id is the SHA-256 of the token the client holds, never the token itself. */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: sessionKind('kind').notNull().default('cookie'),
    activeOrganisationId: uuid('active_organisation_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const codePurpose = pgEnum('code_purpose', ['register', 'reset_password', 'login']);
export const codeChannel = pgEnum('code_channel', ['sms', 'email']);

/** One-time verification codes. Only a hash is stored; a code dies on use, expiry or the 5th wrong try. */
export const verificationCodes = pgTable(
  'verification_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    purpose: codePurpose('purpose').notNull(),
    channel: codeChannel('channel').notNull(),
    target: text('target').notNull(),
    codeHash: text('code_hash').notNull(),
    failedAttempts: integer('failed_attempts').notNull().default(0),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    consumedAt: timestamp('consumed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('verification_codes_target_idx').on(t.purpose, t.channel, t.target)],
);

/**
 * One-time activation codes of accounts the platform generated for someone (a budget unit's management
 * account, a purchaser's trading account): the login exists without a password until the code (sent by
 * SMS, valid 7 days, stored only as SHA-256) is used to set one. Resending replaces the open code.
 */
export const accountActivations = pgTable(
  'account_activations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    /** The organisation the account was generated for (shown on the activation page). */
    organisationId: uuid('organisation_id'),
    failedAttempts: integer('failed_attempts').notNull().default(0),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('account_activations_code_uq').on(t.codeHash),
    uniqueIndex('account_activations_open_uq')
      .on(t.userId)
      .where(sql`${t.usedAt} is null`),
  ],
);
