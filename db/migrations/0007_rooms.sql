CREATE TYPE "public"."price_round_status" AS ENUM('open', 'closed');--> statement-breakpoint
CREATE TABLE "price_rounds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"requirement_id" uuid NOT NULL,
	"tender_round" smallint NOT NULL,
	"number" smallint NOT NULL,
	"status" "price_round_status" DEFAULT 'open' NOT NULL,
	"participant_ids" uuid[] NOT NULL,
	"duration_seconds" integer NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"closes_at" timestamp with time zone NOT NULL,
	"extensions" smallint DEFAULT 0 NOT NULL,
	"min_decrease_bp" integer NOT NULL,
	"min_decrease_fen" bigint NOT NULL,
	"snipe_window_seconds" integer NOT NULL,
	"max_extensions" smallint NOT NULL,
	"closed_at" timestamp with time zone,
	"started_by" uuid NOT NULL
);
--> statement-breakpoint
CREATE TABLE "room_events" (
	"requirement_id" uuid NOT NULL,
	"seq" bigint NOT NULL,
	"type" text NOT NULL,
	"audience" text[] NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "round_offers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"round_id" uuid NOT NULL,
	"requirement_id" uuid NOT NULL,
	"provider_id" uuid NOT NULL,
	"submitted_by" uuid NOT NULL,
	"price_fen" bigint NOT NULL,
	"previous_price_fen" bigint NOT NULL,
	"client_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "round_offers_price_positive" CHECK ("round_offers"."price_fen" > 0 and "round_offers"."price_fen" < "round_offers"."previous_price_fen")
);
--> statement-breakpoint
CREATE TABLE "tender_rooms" (
	"requirement_id" uuid PRIMARY KEY NOT NULL,
	"seq" bigint DEFAULT 0 NOT NULL,
	"min_decrease_bp" integer DEFAULT 100 NOT NULL,
	"min_decrease_fen" bigint DEFAULT 10000 NOT NULL,
	"snipe_window_seconds" integer DEFAULT 120 NOT NULL,
	"max_extensions" smallint DEFAULT 10 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tender_rooms_rules" CHECK ("tender_rooms"."min_decrease_bp" between 0 and 5000 and "tender_rooms"."min_decrease_fen" >= 0 and "tender_rooms"."snipe_window_seconds" between 0 and 900 and "tender_rooms"."max_extensions" between 0 and 50)
);
--> statement-breakpoint
ALTER TABLE "negotiation_messages" ADD COLUMN "delivered_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "price_rounds" ADD CONSTRAINT "price_rounds_requirement_id_requirements_id_fk" FOREIGN KEY ("requirement_id") REFERENCES "public"."requirements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_rounds" ADD CONSTRAINT "price_rounds_started_by_users_id_fk" FOREIGN KEY ("started_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "room_events" ADD CONSTRAINT "room_events_requirement_id_requirements_id_fk" FOREIGN KEY ("requirement_id") REFERENCES "public"."requirements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "round_offers" ADD CONSTRAINT "round_offers_round_id_price_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."price_rounds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "round_offers" ADD CONSTRAINT "round_offers_requirement_id_requirements_id_fk" FOREIGN KEY ("requirement_id") REFERENCES "public"."requirements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "round_offers" ADD CONSTRAINT "round_offers_provider_id_organisations_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "round_offers" ADD CONSTRAINT "round_offers_submitted_by_users_id_fk" FOREIGN KEY ("submitted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tender_rooms" ADD CONSTRAINT "tender_rooms_requirement_id_requirements_id_fk" FOREIGN KEY ("requirement_id") REFERENCES "public"."requirements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "price_rounds_number_uq" ON "price_rounds" USING btree ("requirement_id","tender_round","number");--> statement-breakpoint
CREATE UNIQUE INDEX "price_rounds_one_open_uq" ON "price_rounds" USING btree ("requirement_id") WHERE "price_rounds"."status" = 'open';--> statement-breakpoint
CREATE INDEX "price_rounds_due_idx" ON "price_rounds" USING btree ("closes_at") WHERE "price_rounds"."status" = 'open';--> statement-breakpoint
CREATE UNIQUE INDEX "room_events_seq_uq" ON "room_events" USING btree ("requirement_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "round_offers_client_uq" ON "round_offers" USING btree ("round_id","provider_id","client_id");--> statement-breakpoint
CREATE INDEX "round_offers_provider_idx" ON "round_offers" USING btree ("requirement_id","provider_id","created_at");