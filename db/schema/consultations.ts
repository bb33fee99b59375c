import { sql } from 'drizzle-orm';
import { index, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts';
import { organisations } from './organisations';
import { invitations, requirements } from './tenders';

/**
 * 咨询 (pre-sales consultation): one conversation per enterprise and provider, opened by the enterprise
 * from the provider's storefront before any tender. The pair is unique: opening it again reopens it.
 */
export const consultations = pgTable(
  'consultations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    enterpriseId: uuid('enterprise_id')
      .notNull()
      .references(() => organisations.id),
    providerId: uuid('provider_id')
      .notNull()
      .references(() => organisations.id),
    openedBy: uuid('opened_by')
      .notNull()
      .references(() => users.id),
    /** The newest message's time (lists sort by it); null until the first message. */
    lastMessageAt: timestamp('last_message_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('consultations_pair_uq').on(t.enterpriseId, t.providerId), index('consultations_provider_idx').on(t.providerId, t.lastMessageAt)],
);

/** A person's message, or the system line that says the enterprise invited the provider to a requirement. */
export const consultationMessageKind = pgEnum('consultation_message_kind', ['text', 'invitation']);

/** The messages of a consultation; `deliveredAt` / `readAt` are the other side's receipts. */
export const consultationMessages = pgTable(
  'consultation_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    consultationId: uuid('consultation_id')
      .notNull()
      .references(() => consultations.id),
    kind: consultationMessageKind('kind').notNull().default('text'),
    senderOrgId: uuid('sender_org_id')
      .notNull()
      .references(() => organisations.id),
    senderUserId: uuid('sender_user_id')
      .notNull()
      .references(() => users.id),
    body: text('body').notNull(),
    /** The invitation a system line announces (kind `invitation`). */
    invitationId: uuid('invitation_id').references(() => invitations.id),
    requirementId: uuid('requirement_id').references(() => requirements.id),
    /** Client-supplied id: a resent message is stored once. */
    clientId: text('client_id'),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    readAt: timestamp('read_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('consultation_messages_thread_idx').on(t.consultationId, t.createdAt),
    uniqueIndex('consultation_messages_client_uq')
      .on(t.senderUserId, t.clientId)
      .where(sql`${t.clientId} is not null`),
  ],
);

export type ConsultationRow = typeof consultations.$inferSelect;
export type ConsultationMessageRow = typeof consultationMessages.$inferSelect;
