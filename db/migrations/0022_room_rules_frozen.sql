ALTER TABLE "price_rounds" ADD COLUMN "extension_rule" text DEFAULT 'any_bid' NOT NULL;--> statement-breakpoint
ALTER TABLE "price_rounds" ADD COLUMN "max_extension_minutes" smallint;--> statement-breakpoint
ALTER TABLE "price_rounds" ADD COLUMN "latest_close_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tender_rooms" ADD COLUMN "extension_rule" text DEFAULT 'new_lowest' NOT NULL;--> statement-breakpoint
ALTER TABLE "tender_rooms" ADD COLUMN "max_extension_minutes" smallint DEFAULT 20 NOT NULL;--> statement-breakpoint
ALTER TABLE "price_rounds" ADD CONSTRAINT "price_rounds_extension_rule" CHECK ("price_rounds"."extension_rule" in ('new_lowest', 'any_bid') and ("price_rounds"."latest_close_at" is null or "price_rounds"."closes_at" <= "price_rounds"."latest_close_at"));--> statement-breakpoint
ALTER TABLE "tender_rooms" ADD CONSTRAINT "tender_rooms_extension_rule" CHECK ("tender_rooms"."extension_rule" in ('new_lowest', 'any_bid') and "tender_rooms"."max_extension_minutes" between 0 and 120);