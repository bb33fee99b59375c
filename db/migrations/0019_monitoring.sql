CREATE TYPE "public"."monitoring_evidence_kind" AS ENUM('invoice', 'contract', 'waybill', 'other', 'mall_order');--> statement-breakpoint
CREATE TYPE "public"."monitoring_filing_type" AS ENUM('backfill', 'regular');--> statement-breakpoint
CREATE TYPE "public"."monitoring_role" AS ENUM('admin', 'auditor', 'reporter');--> statement-breakpoint
CREATE TYPE "public"."monitoring_status" AS ENUM('draft', 'filed', 'submitted', 'approved', 'returned');--> statement-breakpoint
CREATE TYPE "public"."monitoring_unit_kind" AS ENUM('province', 'city', 'market', 'chain', 'ecommerce', 'enterprise', 'wholesaler', 'store');--> statement-breakpoint
CREATE TABLE "monitoring_counties" (
	"code" text PRIMARY KEY NOT NULL,
	"province_code" text NOT NULL,
	"province_name" text NOT NULL,
	"city_code" text NOT NULL,
	"city_name" text NOT NULL,
	"name" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "monitoring_evidence" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"record_id" uuid NOT NULL,
	"kind" "monitoring_evidence_kind" NOT NULL,
	"file_id" uuid,
	"mall_order_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "monitoring_evidence_one_source" CHECK (("monitoring_evidence"."file_id" is null) <> ("monitoring_evidence"."mall_order_id" is null))
);
--> statement-breakpoint
CREATE TABLE "monitoring_members" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"organisation_id" uuid NOT NULL,
	"role" "monitoring_role" NOT NULL,
	"contact_name" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "monitoring_periods" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"filing_type" "monitoring_filing_type" NOT NULL,
	"name" text NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date NOT NULL,
	"open" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "monitoring_periods_range" CHECK ("monitoring_periods"."starts_on" <= "monitoring_periods"."ends_on")
);
--> statement-breakpoint
CREATE TABLE "monitoring_record_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"record_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"action" text NOT NULL,
	"from_status" "monitoring_status",
	"to_status" "monitoring_status" NOT NULL,
	"level" text NOT NULL,
	"actor_user_id" uuid NOT NULL,
	"actor_organisation_id" uuid NOT NULL,
	"comment" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "monitoring_record_versions" (
	"record_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"content" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "monitoring_record_versions_record_id_version_pk" PRIMARY KEY("record_id","version")
);
--> statement-breakpoint
CREATE TABLE "monitoring_records" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reporter_id" uuid NOT NULL,
	"reporter_kind" "monitoring_unit_kind" NOT NULL,
	"parent_id" uuid,
	"department_id" uuid NOT NULL,
	"city_code" text,
	"filing_type" "monitoring_filing_type" NOT NULL,
	"period_id" uuid NOT NULL,
	"direct_from_origin" boolean NOT NULL,
	"origin_province_code" text NOT NULL,
	"origin_city_code" text NOT NULL,
	"origin_county_code" text NOT NULL,
	"category" text NOT NULL,
	"product_name" text NOT NULL,
	"unit" text NOT NULL,
	"quantity" numeric(16, 3) NOT NULL,
	"amount_fen" bigint NOT NULL,
	"status" "monitoring_status" DEFAULT 'draft' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"seq" integer DEFAULT 0 NOT NULL,
	"return_reason" text,
	"returned_by" text,
	"mall_order_id" uuid,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"filed_at" timestamp with time zone,
	"submitted_at" timestamp with time zone,
	"approved_at" timestamp with time zone,
	CONSTRAINT "monitoring_records_amount_positive" CHECK ("monitoring_records"."amount_fen" > 0),
	CONSTRAINT "monitoring_records_quantity_positive" CHECK ("monitoring_records"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE "monitoring_units" (
	"organisation_id" uuid PRIMARY KEY NOT NULL,
	"kind" "monitoring_unit_kind" NOT NULL,
	"parent_id" uuid,
	"department_id" uuid,
	"city_code" text,
	"contact_name" text NOT NULL,
	"contact_mobile" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "monitoring_evidence" ADD CONSTRAINT "monitoring_evidence_record_id_monitoring_records_id_fk" FOREIGN KEY ("record_id") REFERENCES "public"."monitoring_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_evidence" ADD CONSTRAINT "monitoring_evidence_file_id_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."files"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_evidence" ADD CONSTRAINT "monitoring_evidence_mall_order_id_mall_orders_id_fk" FOREIGN KEY ("mall_order_id") REFERENCES "public"."mall_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_members" ADD CONSTRAINT "monitoring_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_members" ADD CONSTRAINT "monitoring_members_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_members" ADD CONSTRAINT "monitoring_members_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_record_events" ADD CONSTRAINT "monitoring_record_events_record_id_monitoring_records_id_fk" FOREIGN KEY ("record_id") REFERENCES "public"."monitoring_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_record_events" ADD CONSTRAINT "monitoring_record_events_actor_user_id_users_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_record_events" ADD CONSTRAINT "monitoring_record_events_actor_organisation_id_organisations_id_fk" FOREIGN KEY ("actor_organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_record_versions" ADD CONSTRAINT "monitoring_record_versions_record_id_monitoring_records_id_fk" FOREIGN KEY ("record_id") REFERENCES "public"."monitoring_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_records" ADD CONSTRAINT "monitoring_records_reporter_id_organisations_id_fk" FOREIGN KEY ("reporter_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_records" ADD CONSTRAINT "monitoring_records_parent_id_organisations_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_records" ADD CONSTRAINT "monitoring_records_department_id_organisations_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_records" ADD CONSTRAINT "monitoring_records_period_id_monitoring_periods_id_fk" FOREIGN KEY ("period_id") REFERENCES "public"."monitoring_periods"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_records" ADD CONSTRAINT "monitoring_records_origin_county_code_monitoring_counties_code_fk" FOREIGN KEY ("origin_county_code") REFERENCES "public"."monitoring_counties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_records" ADD CONSTRAINT "monitoring_records_mall_order_id_mall_orders_id_fk" FOREIGN KEY ("mall_order_id") REFERENCES "public"."mall_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_records" ADD CONSTRAINT "monitoring_records_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_units" ADD CONSTRAINT "monitoring_units_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_units" ADD CONSTRAINT "monitoring_units_parent_id_organisations_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_units" ADD CONSTRAINT "monitoring_units_department_id_organisations_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_units" ADD CONSTRAINT "monitoring_units_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "monitoring_counties_city_idx" ON "monitoring_counties" USING btree ("city_code");--> statement-breakpoint
CREATE INDEX "monitoring_evidence_record_idx" ON "monitoring_evidence" USING btree ("record_id");--> statement-breakpoint
CREATE UNIQUE INDEX "monitoring_evidence_file_uq" ON "monitoring_evidence" USING btree ("record_id","file_id");--> statement-breakpoint
CREATE INDEX "monitoring_members_organisation_idx" ON "monitoring_members" USING btree ("organisation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "monitoring_periods_name_uq" ON "monitoring_periods" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "monitoring_record_events_seq_uq" ON "monitoring_record_events" USING btree ("record_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "monitoring_records_mall_order_uq" ON "monitoring_records" USING btree ("mall_order_id");--> statement-breakpoint
CREATE INDEX "monitoring_records_reporter_idx" ON "monitoring_records" USING btree ("reporter_id","status","updated_at");--> statement-breakpoint
CREATE INDEX "monitoring_records_parent_idx" ON "monitoring_records" USING btree ("parent_id","status","updated_at");--> statement-breakpoint
CREATE INDEX "monitoring_records_department_idx" ON "monitoring_records" USING btree ("department_id","status","updated_at");--> statement-breakpoint
CREATE INDEX "monitoring_records_city_idx" ON "monitoring_records" USING btree ("city_code","status","updated_at");--> statement-breakpoint
CREATE INDEX "monitoring_records_status_idx" ON "monitoring_records" USING btree ("status","updated_at");--> statement-breakpoint
CREATE INDEX "monitoring_units_parent_idx" ON "monitoring_units" USING btree ("parent_id","kind");--> statement-breakpoint
CREATE INDEX "monitoring_units_department_idx" ON "monitoring_units" USING btree ("department_id","kind");