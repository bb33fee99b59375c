CREATE TYPE "public"."deposit_status" AS ENUM('none', 'held', 'refunded', 'partly_refunded');--> statement-breakpoint
CREATE TYPE "public"."invitation_status" AS ENUM('pending', 'accepted', 'declined', 'selected', 'dropped', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."payment_mode" AS ENUM('full_escrow', 'instalments');--> statement-breakpoint
CREATE TYPE "public"."proposal_status" AS ENUM('active', 'withdrawn', 'selected', 'not_selected');--> statement-breakpoint
CREATE TYPE "public"."requirement_state" AS ENUM('draft', 'pending_review', 'rejected', 'open', 'abandoned', 'withdrawn', 'awarded', 'in_progress', 'completed', 'closed');--> statement-breakpoint
CREATE TYPE "public"."service_item_status" AS ENUM('listed', 'unlisted');--> statement-breakpoint
CREATE TYPE "public"."tender_mode" AS ENUM('competitive', 'invitation');--> statement-breakpoint
CREATE TABLE "files" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"uploaded_by" uuid NOT NULL,
	"filename" text NOT NULL,
	"content_type" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"sha256" text NOT NULL,
	"purpose" text,
	"subject_id" uuid,
	"data" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invitations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"requirement_id" uuid NOT NULL,
	"provider_id" uuid NOT NULL,
	"invited_by" uuid NOT NULL,
	"status" "invitation_status" DEFAULT 'pending' NOT NULL,
	"note" text,
	"responded_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "negotiation_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"requirement_id" uuid NOT NULL,
	"provider_id" uuid NOT NULL,
	"sender_org_id" uuid NOT NULL,
	"sender_user_id" uuid NOT NULL,
	"body" text NOT NULL,
	"attachment_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"client_id" text,
	"read_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "platform_settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "proposals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"requirement_id" uuid NOT NULL,
	"provider_id" uuid NOT NULL,
	"submitted_by" uuid NOT NULL,
	"round" smallint NOT NULL,
	"price_fen" bigint NOT NULL,
	"plan" text NOT NULL,
	"timeline" text NOT NULL,
	"status" "proposal_status" DEFAULT 'active' NOT NULL,
	"revision" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "proposals_price_positive" CHECK ("proposals"."price_fen" > 0)
);
--> statement-breakpoint
CREATE TABLE "provider_cases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"title" text NOT NULL,
	"client_name" text,
	"year" smallint,
	"description" text DEFAULT '' NOT NULL,
	"image_file_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "requirement_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"requirement_id" uuid NOT NULL,
	"actor_user_id" uuid,
	"event" text NOT NULL,
	"from_state" "requirement_state",
	"to_state" "requirement_state",
	"detail" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "requirements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"requirement_no" text NOT NULL,
	"organisation_id" uuid NOT NULL,
	"created_by" uuid NOT NULL,
	"invoice_name" text NOT NULL,
	"title" text NOT NULL,
	"category_code" text NOT NULL,
	"description_html" text NOT NULL,
	"description_text" text NOT NULL,
	"budget_min_fen" bigint NOT NULL,
	"budget_max_fen" bigint NOT NULL,
	"delivery_date" text NOT NULL,
	"region_code" text NOT NULL,
	"mode" "tender_mode" NOT NULL,
	"payment_mode" "payment_mode" NOT NULL,
	"opening_at" timestamp with time zone,
	"min_bidders" smallint,
	"state" "requirement_state" DEFAULT 'draft' NOT NULL,
	"round" smallint DEFAULT 1 NOT NULL,
	"deposit_fen" bigint DEFAULT 0 NOT NULL,
	"deposit_status" "deposit_status" DEFAULT 'none' NOT NULL,
	"deposit_seq" smallint DEFAULT 0 NOT NULL,
	"reject_reason" text,
	"abandoned_free" smallint,
	"selected_provider_id" uuid,
	"reviewed_by" uuid,
	"submitted_at" timestamp with time zone,
	"reviewed_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"search_vector" "tsvector",
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "requirements_budget_order" CHECK ("requirements"."budget_min_fen" >= 0 and "requirements"."budget_min_fen" <= "requirements"."budget_max_fen")
);
--> statement-breakpoint
CREATE TABLE "service_categories" (
	"code" text PRIMARY KEY NOT NULL,
	"parent_code" text,
	"name" text NOT NULL,
	"sort" smallint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"title" text NOT NULL,
	"category_code" text NOT NULL,
	"price_min_fen" bigint NOT NULL,
	"price_max_fen" bigint NOT NULL,
	"price_unit" text DEFAULT '次' NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"status" "service_item_status" DEFAULT 'listed' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "service_items_price_order" CHECK ("service_items"."price_min_fen" > 0 and "service_items"."price_min_fen" <= "service_items"."price_max_fen")
);
--> statement-breakpoint
CREATE TABLE "storefronts" (
	"organisation_id" uuid PRIMARY KEY NOT NULL,
	"logo_file_id" uuid,
	"introduction" text DEFAULT '' NOT NULL,
	"qualifications" text DEFAULT '' NOT NULL,
	"regions_served" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"category_codes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"contact_phone" text,
	"rating_avg" real,
	"rating_count" integer DEFAULT 0 NOT NULL,
	"search_vector" "tsvector",
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_uploaded_by_users_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_requirement_id_requirements_id_fk" FOREIGN KEY ("requirement_id") REFERENCES "public"."requirements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_provider_id_organisations_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_invited_by_users_id_fk" FOREIGN KEY ("invited_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "negotiation_messages" ADD CONSTRAINT "negotiation_messages_requirement_id_requirements_id_fk" FOREIGN KEY ("requirement_id") REFERENCES "public"."requirements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "negotiation_messages" ADD CONSTRAINT "negotiation_messages_provider_id_organisations_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "negotiation_messages" ADD CONSTRAINT "negotiation_messages_sender_org_id_organisations_id_fk" FOREIGN KEY ("sender_org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "negotiation_messages" ADD CONSTRAINT "negotiation_messages_sender_user_id_users_id_fk" FOREIGN KEY ("sender_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proposals" ADD CONSTRAINT "proposals_requirement_id_requirements_id_fk" FOREIGN KEY ("requirement_id") REFERENCES "public"."requirements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proposals" ADD CONSTRAINT "proposals_provider_id_organisations_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proposals" ADD CONSTRAINT "proposals_submitted_by_users_id_fk" FOREIGN KEY ("submitted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provider_cases" ADD CONSTRAINT "provider_cases_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provider_cases" ADD CONSTRAINT "provider_cases_image_file_id_files_id_fk" FOREIGN KEY ("image_file_id") REFERENCES "public"."files"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "requirement_events" ADD CONSTRAINT "requirement_events_requirement_id_requirements_id_fk" FOREIGN KEY ("requirement_id") REFERENCES "public"."requirements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "requirements" ADD CONSTRAINT "requirements_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "requirements" ADD CONSTRAINT "requirements_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "requirements" ADD CONSTRAINT "requirements_category_code_service_categories_code_fk" FOREIGN KEY ("category_code") REFERENCES "public"."service_categories"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "requirements" ADD CONSTRAINT "requirements_selected_provider_id_organisations_id_fk" FOREIGN KEY ("selected_provider_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_items" ADD CONSTRAINT "service_items_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_items" ADD CONSTRAINT "service_items_category_code_service_categories_code_fk" FOREIGN KEY ("category_code") REFERENCES "public"."service_categories"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "storefronts" ADD CONSTRAINT "storefronts_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "storefronts" ADD CONSTRAINT "storefronts_logo_file_id_files_id_fk" FOREIGN KEY ("logo_file_id") REFERENCES "public"."files"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "files_subject_idx" ON "files" USING btree ("purpose","subject_id");--> statement-breakpoint
CREATE INDEX "files_org_idx" ON "files" USING btree ("organisation_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "invitations_pair_uq" ON "invitations" USING btree ("requirement_id","provider_id");--> statement-breakpoint
CREATE INDEX "invitations_provider_idx" ON "invitations" USING btree ("provider_id","created_at");--> statement-breakpoint
CREATE INDEX "negotiation_thread_idx" ON "negotiation_messages" USING btree ("requirement_id","provider_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "negotiation_client_uq" ON "negotiation_messages" USING btree ("sender_user_id","client_id") WHERE "negotiation_messages"."client_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "proposals_live_uq" ON "proposals" USING btree ("requirement_id","provider_id") WHERE "proposals"."status" = 'active';--> statement-breakpoint
CREATE INDEX "proposals_provider_idx" ON "proposals" USING btree ("provider_id","updated_at");--> statement-breakpoint
CREATE INDEX "provider_cases_org_idx" ON "provider_cases" USING btree ("organisation_id","created_at");--> statement-breakpoint
CREATE INDEX "requirement_events_req_idx" ON "requirement_events" USING btree ("requirement_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "requirements_no_uq" ON "requirements" USING btree ("requirement_no");--> statement-breakpoint
CREATE INDEX "requirements_org_idx" ON "requirements" USING btree ("organisation_id","state","updated_at");--> statement-breakpoint
CREATE INDEX "requirements_hall_idx" ON "requirements" USING btree ("state","mode","category_code");--> statement-breakpoint
CREATE INDEX "requirements_search_idx" ON "requirements" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "service_categories_parent_idx" ON "service_categories" USING btree ("parent_code","sort");--> statement-breakpoint
CREATE INDEX "service_items_org_idx" ON "service_items" USING btree ("organisation_id","status");