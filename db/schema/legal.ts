import { integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts';

/** 用户协议 and 隐私政策. */
export const legalDocumentKind = pgEnum('legal_document_kind', ['terms', 'privacy']);

/**
 * Every published version of a legal document: a publish adds a row (version = previous + 1), rows are
 * never changed, so the text a person agreed to stays readable (`users.terms_version` / `privacy_version`).
 */
export const legalDocuments = pgTable(
  'legal_documents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: legalDocumentKind('kind').notNull(),
    version: integer('version').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
    publishedBy: uuid('published_by').references(() => users.id),
  },
  (t) => [uniqueIndex('legal_documents_kind_version_uq').on(t.kind, t.version)],
);
