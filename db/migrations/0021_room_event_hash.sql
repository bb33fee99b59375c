-- The verifiable bid log (docs/decisions/012-verifiable-room-log.md). No backfill: the hash is over the
-- RFC 8785 canonical form, which SQL cannot reproduce faithfully (key order by UTF-16 code units, ECMAScript
-- number and string forms). Events stored before this migration keep a null hash and form their room's legacy
-- prefix; the chain starts from the genesis hash at the first event appended after it.
ALTER TABLE "room_events" ADD COLUMN "hash" text;--> statement-breakpoint
ALTER TABLE "tender_rooms" ADD COLUMN "last_hash" text;
