import { index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const jobStatus = pgEnum('job_status', ['pending', 'running', 'done', 'failed']);

/**
 * Timed work and the outbox in one table (docs/decisions/006-jobs-and-outbox.md). A row is the truth
 * about when something must happen; workers claim due rows with FOR UPDATE SKIP LOCKED and hold a
 * lease (locked_by, locked_until) so a crashed node's job is claimed again once its lease expires.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Which handler runs it: `round.close`, `recharge.expire`, `outbox:site-message`, … */
    kind: text('kind').notNull(),
    /** Unique per kind: scheduling the same (kind, key) again moves the existing row. */
    key: text('key').notNull(),
    payload: jsonb('payload'),
    status: jobStatus('status').notNull().default('pending'),
    runAt: timestamp('run_at', { withTimezone: true }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(10),
    lastError: text('last_error'),
    lockedBy: text('locked_by'),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('jobs_kind_key_idx').on(t.kind, t.key),
    // The claim query: due rows of one status in run_at order.
    index('jobs_due_idx').on(t.status, t.runAt),
    index('jobs_lease_idx').on(t.status, t.lockedUntil),
  ],
);
