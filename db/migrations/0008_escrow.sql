CREATE TYPE "public"."agreement_status" AS ENUM('draft', 'sent', 'returned', 'confirmed', 'terminated');--> statement-breakpoint
CREATE TYPE "public"."after_sales_status" AS ENUM('open', 'responded', 'escalated', 'decided', 'withdrawn');--> statement-breakpoint
CREATE TYPE "public"."milestone_status" AS ENUM('unfunded', 'funded', 'delivered', 'accepted', 'released', 'refunded');--> statement-breakpoint
CREATE TYPE "public"."release_mode" AS ENUM('per_milestone', 'at_completion');--> statement-breakpoint
CREATE TYPE "public"."termination_status" AS ENUM('proposed', 'accepted', 'declined', 'cancelled', 'decided');--> statement-breakpoint
CREATE TABLE "after_sales_cases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_no" text NOT NULL,
	"agreement_id" uuid NOT NULL,
	"opened_by" uuid NOT NULL,
	"reason" text NOT NULL,
	"status" "after_sales_status" DEFAULT 'open' NOT NULL,
	"refund_fen" bigint,
	"pay_fen" bigint,
	"decision_reason" text,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "after_sales_cases_case_no_unique" UNIQUE("case_no")
);
--> statement-breakpoint
CREATE TABLE "agreement_versions" (
	"agreement_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"content" jsonb NOT NULL,
	"sent_by" uuid,
	"sent_at" timestamp with time zone,
	"return_comment" text,
	"returned_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "agreements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agreement_no" text NOT NULL,
	"requirement_id" uuid NOT NULL,
	"enterprise_id" uuid NOT NULL,
	"provider_id" uuid NOT NULL,
	"status" "agreement_status" DEFAULT 'draft' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"scope" text NOT NULL,
	"total_fen" bigint NOT NULL,
	"start_date" date NOT NULL,
	"end_date" date NOT NULL,
	"payment_mode" text NOT NULL,
	"release_mode" "release_mode" NOT NULL,
	"fee_bp" integer DEFAULT 0 NOT NULL,
	"return_comment" text,
	"confirmed_at" timestamp with time zone,
	"confirmed_by" uuid,
	"content_sha256" text,
	"pdf" "bytea",
	"completed_at" timestamp with time zone,
	"terminated_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agreements_agreement_no_unique" UNIQUE("agreement_no"),
	CONSTRAINT "agreements_total_positive" CHECK ("agreements"."total_fen" > 0)
);
--> statement-breakpoint
CREATE TABLE "after_sales_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"type" text NOT NULL,
	"side" text NOT NULL,
	"actor_user_id" uuid,
	"body" text DEFAULT '' NOT NULL,
	"attachment_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "milestone_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"milestone_id" uuid NOT NULL,
	"type" text NOT NULL,
	"actor_user_id" uuid,
	"note" text,
	"attachment_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "milestones" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agreement_id" uuid NOT NULL,
	"seq" smallint NOT NULL,
	"title" text NOT NULL,
	"deliverables" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"due_date" date NOT NULL,
	"status" "milestone_status" DEFAULT 'unfunded' NOT NULL,
	"funded_fen" bigint DEFAULT 0 NOT NULL,
	"released_fen" bigint DEFAULT 0 NOT NULL,
	"refunded_fen" bigint DEFAULT 0 NOT NULL,
	"delivered_at" timestamp with time zone,
	"reminder_due_at" timestamp with time zone,
	"reminded_at" timestamp with time zone,
	"auto_accept_at" timestamp with time zone,
	"accepted_at" timestamp with time zone,
	"auto_accepted" smallint DEFAULT 0 NOT NULL,
	"released_at" timestamp with time zone,
	CONSTRAINT "milestones_amounts" CHECK ("milestones"."amount_fen" > 0 and "milestones"."funded_fen" >= 0 and "milestones"."released_fen" >= 0 and "milestones"."refunded_fen" >= 0 and "milestones"."released_fen" + "milestones"."refunded_fen" <= "milestones"."funded_fen" and "milestones"."funded_fen" <= "milestones"."amount_fen")
);
--> statement-breakpoint
CREATE TABLE "reviews" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agreement_id" uuid NOT NULL,
	"reviewer_org_id" uuid NOT NULL,
	"reviewee_org_id" uuid NOT NULL,
	"reviewer_user_id" uuid NOT NULL,
	"quality" smallint NOT NULL,
	"timeliness" smallint NOT NULL,
	"communication" smallint NOT NULL,
	"body" text DEFAULT '' NOT NULL,
	"reply" text,
	"replied_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "reviews_stars" CHECK ("reviews"."quality" between 1 and 5 and "reviews"."timeliness" between 1 and 5 and "reviews"."communication" between 1 and 5)
);
--> statement-breakpoint
CREATE TABLE "terminations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agreement_id" uuid NOT NULL,
	"proposed_by_side" text NOT NULL,
	"proposed_by" uuid NOT NULL,
	"refund_fen" bigint NOT NULL,
	"pay_fen" bigint NOT NULL,
	"reason" text NOT NULL,
	"status" "termination_status" DEFAULT 'proposed' NOT NULL,
	"answered_by" uuid,
	"answered_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "after_sales_cases" ADD CONSTRAINT "after_sales_cases_agreement_id_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."agreements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "after_sales_cases" ADD CONSTRAINT "after_sales_cases_opened_by_users_id_fk" FOREIGN KEY ("opened_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "after_sales_cases" ADD CONSTRAINT "after_sales_cases_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_versions" ADD CONSTRAINT "agreement_versions_agreement_id_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."agreements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_versions" ADD CONSTRAINT "agreement_versions_sent_by_users_id_fk" FOREIGN KEY ("sent_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_requirement_id_requirements_id_fk" FOREIGN KEY ("requirement_id") REFERENCES "public"."requirements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_enterprise_id_organisations_id_fk" FOREIGN KEY ("enterprise_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_provider_id_organisations_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_confirmed_by_users_id_fk" FOREIGN KEY ("confirmed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "after_sales_events" ADD CONSTRAINT "after_sales_events_case_id_after_sales_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."after_sales_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "after_sales_events" ADD CONSTRAINT "after_sales_events_actor_user_id_users_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "milestone_events" ADD CONSTRAINT "milestone_events_milestone_id_milestones_id_fk" FOREIGN KEY ("milestone_id") REFERENCES "public"."milestones"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "milestone_events" ADD CONSTRAINT "milestone_events_actor_user_id_users_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "milestones" ADD CONSTRAINT "milestones_agreement_id_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."agreements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_agreement_id_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."agreements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_reviewer_org_id_organisations_id_fk" FOREIGN KEY ("reviewer_org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_reviewee_org_id_organisations_id_fk" FOREIGN KEY ("reviewee_org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_reviewer_user_id_users_id_fk" FOREIGN KEY ("reviewer_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terminations" ADD CONSTRAINT "terminations_agreement_id_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."agreements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terminations" ADD CONSTRAINT "terminations_proposed_by_users_id_fk" FOREIGN KEY ("proposed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terminations" ADD CONSTRAINT "terminations_answered_by_users_id_fk" FOREIGN KEY ("answered_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "after_sales_open_uq" ON "after_sales_cases" USING btree ("agreement_id") WHERE "after_sales_cases"."status" in ('open', 'responded', 'escalated');--> statement-breakpoint
CREATE UNIQUE INDEX "agreement_versions_uq" ON "agreement_versions" USING btree ("agreement_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "agreements_live_uq" ON "agreements" USING btree ("requirement_id") WHERE "agreements"."status" <> 'terminated';--> statement-breakpoint
CREATE INDEX "agreements_enterprise_idx" ON "agreements" USING btree ("enterprise_id","updated_at");--> statement-breakpoint
CREATE INDEX "agreements_provider_idx" ON "agreements" USING btree ("provider_id","updated_at");--> statement-breakpoint
CREATE INDEX "after_sales_events_idx" ON "after_sales_events" USING btree ("case_id","created_at");--> statement-breakpoint
CREATE INDEX "milestone_events_idx" ON "milestone_events" USING btree ("milestone_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "milestones_seq_uq" ON "milestones" USING btree ("agreement_id","seq");--> statement-breakpoint
CREATE INDEX "milestones_auto_accept_idx" ON "milestones" USING btree ("auto_accept_at") WHERE "milestones"."status" = 'delivered';--> statement-breakpoint
CREATE UNIQUE INDEX "reviews_once_uq" ON "reviews" USING btree ("agreement_id","reviewer_org_id");--> statement-breakpoint
CREATE INDEX "reviews_reviewee_idx" ON "reviews" USING btree ("reviewee_org_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "terminations_open_uq" ON "terminations" USING btree ("agreement_id") WHERE "terminations"."status" = 'proposed';