import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgEnum, pgTable, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { organisations } from './organisations';
import { users } from './accounts';
import { requirements } from './tenders';

/**
 * Live bidding rooms (待标室 / 竞价室 / 二次竞价). One row per competitive requirement that has had a
 * room: its event sequence and the second-round rules the enterprise chose (defaults from the issue).
 */
export const tenderRooms = pgTable(
  'tender_rooms',
  {
    requirementId: uuid('requirement_id')
      .primaryKey()
      .references(() => requirements.id),
    /** The last event sequence number handed out: every room event takes the next one. */
    seq: bigint('seq', { mode: 'number' }).notNull().default(0),
    /** A revised price must be lower than the provider's previous one by this share (basis points) … */
    minDecreaseBp: integer('min_decrease_bp').notNull().default(100),
    /** … or by this amount, whichever is larger. */
    minDecreaseFen: bigint('min_decrease_fen', { mode: 'number' }).notNull().default(10_000),
    /** Anti-sniping: a bid this close to the deadline moves it to the bid time plus the same span. */
    snipeWindowSeconds: integer('snipe_window_seconds').notNull().default(120),
    maxExtensions: smallint('max_extensions').notNull().default(10),
    /** 'new_lowest': only a bid that becomes the round's lowest price extends; 'any_bid': any accepted bid. */
    extensionRule: text('extension_rule', { enum: ['new_lowest', 'any_bid'] })
      .notNull()
      .default('new_lowest'),
    /** The latest close: a round's deadline never moves past its original close plus this many minutes. */
    maxExtensionMinutes: smallint('max_extension_minutes').notNull().default(20),
    /**
     * The hash of the room's last event (core/rooms/room-chain.ts); null before the first hashed event
     * (a room whose events all predate the hash chain, or one without events).
     */
    lastHash: text('last_hash'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check(
      'tender_rooms_rules',
      sql`${t.minDecreaseBp} between 0 and 5000 and ${t.minDecreaseFen} >= 0 and ${t.snipeWindowSeconds} between 0 and 900 and ${t.maxExtensions} between 0 and 50`,
    ),
    check('tender_rooms_extension_rule', sql`${t.extensionRule} in ('new_lowest', 'any_bid') and ${t.maxExtensionMinutes} between 0 and 120`),
  ],
);

export const priceRoundStatus = pgEnum('price_round_status', ['open', 'closed']);

/** 二次竞价: a timed round of revised prices among the providers the enterprise ticked. */
export const priceRounds = pgTable(
  'price_rounds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    requirementId: uuid('requirement_id')
      .notNull()
      .references(() => requirements.id),
    /** The requirement's tender round (a re-tender starts a new one). */
    tenderRound: smallint('tender_round').notNull(),
    /** 1 for the first second round of this tender round, 2 for the next … */
    number: smallint('number').notNull(),
    status: priceRoundStatus('status').notNull().default('open'),
    participantIds: uuid('participant_ids').array().notNull(),
    durationSeconds: integer('duration_seconds').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    /** The deadline; anti-sniping moves it later. The server clock decides. */
    closesAt: timestamp('closes_at', { withTimezone: true }).notNull(),
    extensions: smallint('extensions').notNull().default(0),
    // The rules in force, copied from the room when the round starts.
    minDecreaseBp: integer('min_decrease_bp').notNull(),
    minDecreaseFen: bigint('min_decrease_fen', { mode: 'number' }).notNull(),
    snipeWindowSeconds: integer('snipe_window_seconds').notNull(),
    maxExtensions: smallint('max_extensions').notNull(),
    /** Rounds started before the rule existed extended on any bid, hence the column default. */
    extensionRule: text('extension_rule', { enum: ['new_lowest', 'any_bid'] })
      .notNull()
      .default('any_bid'),
    /** Null on rounds started before there was a latest close. */
    maxExtensionMinutes: smallint('max_extension_minutes'),
    /** The original deadline plus maxExtensionMinutes: anti-sniping never moves `closesAt` past it. Null on older rounds. */
    latestCloseAt: timestamp('latest_close_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    startedBy: uuid('started_by')
      .notNull()
      .references(() => users.id),
  },
  (t) => [
    uniqueIndex('price_rounds_number_uq').on(t.requirementId, t.tenderRound, t.number),
    // At most one open round per requirement.
    uniqueIndex('price_rounds_one_open_uq')
      .on(t.requirementId)
      .where(sql`${t.status} = 'open'`),
    check(
      'price_rounds_extension_rule',
      sql`${t.extensionRule} in ('new_lowest', 'any_bid') and (${t.latestCloseAt} is null or ${t.closesAt} <= ${t.latestCloseAt})`,
    ),
    index('price_rounds_due_idx')
      .on(t.closesAt)
      .where(sql`${t.status} = 'open'`),
  ],
);

/** A revised price. Committed before it is acknowledged; a resent bid (same client id) counts once. */
export const roundOffers = pgTable(
  'round_offers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    roundId: uuid('round_id')
      .notNull()
      .references(() => priceRounds.id),
    requirementId: uuid('requirement_id')
      .notNull()
      .references(() => requirements.id),
    providerId: uuid('provider_id')
      .notNull()
      .references(() => organisations.id),
    submittedBy: uuid('submitted_by')
      .notNull()
      .references(() => users.id),
    priceFen: bigint('price_fen', { mode: 'number' }).notNull(),
    previousPriceFen: bigint('previous_price_fen', { mode: 'number' }).notNull(),
    clientId: text('client_id').notNull(),
    /** The room event that announced it. */
    seq: bigint('seq', { mode: 'number' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('round_offers_client_uq').on(t.roundId, t.providerId, t.clientId),
    index('round_offers_provider_idx').on(t.requirementId, t.providerId, t.createdAt),
    check('round_offers_price_positive', sql`${t.priceFen} > 0 and ${t.priceFen} < ${t.previousPriceFen}`),
  ],
);

/**
 * Every room event in order, with who may see it, so a client that reconnects (to any node) gets
 * exactly what it missed. `audience` holds 'enterprise', 'provider:<orgId>' or 'all' (every member
 * of the room); operators see everything.
 */
export const roomEvents = pgTable(
  'room_events',
  {
    requirementId: uuid('requirement_id')
      .notNull()
      .references(() => requirements.id),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    type: text('type').notNull(),
    audience: text('audience').array().notNull(),
    payload: jsonb('payload').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    /**
     * SHA-256 (hex) over the previous event's hash and this event's canonical form (room-chain.ts).
     * Null only on events appended before the hash chain existed: they form the room's legacy prefix.
     */
    hash: text('hash'),
  },
  (t) => [uniqueIndex('room_events_seq_uq').on(t.requirementId, t.seq)],
);

export type RoomEventRow = typeof roomEvents.$inferSelect;
export type PriceRoundRow = typeof priceRounds.$inferSelect;
export type RoundOfferRow = typeof roundOffers.$inferSelect;
