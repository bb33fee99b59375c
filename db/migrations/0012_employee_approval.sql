CREATE TYPE "public"."employee_status" AS ENUM('pending', 'approved', 'rejected');--> statement-breakpoint
ALTER TYPE "public"."member_role" ADD VALUE 'finance' BEFORE 'member';--> statement-breakpoint
ALTER TYPE "public"."ledger_account_kind" ADD VALUE 'mall_clearing';--> statement-breakpoint
ALTER TABLE "individual_profiles" ADD COLUMN "unit_status" "employee_status" DEFAULT 'pending' NOT NULL;--> statement-breakpoint
ALTER TABLE "individual_profiles" ADD COLUMN "unit_decided_by" uuid;--> statement-breakpoint
ALTER TABLE "individual_profiles" ADD COLUMN "unit_decided_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "individual_profiles" ADD COLUMN "unit_reject_reason" text;--> statement-breakpoint
ALTER TABLE "individual_profiles" ADD CONSTRAINT "individual_profiles_unit_decided_by_users_id_fk" FOREIGN KEY ("unit_decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "individual_profiles_unit_status_idx" ON "individual_profiles" USING btree ("unit_id","unit_status");--> statement-breakpoint
-- Individuals used to become members of the unit they named, with no approval. They keep the attribution
-- (statistics) and wait, as pending employees, for the unit's owner or an admin to approve them.
DELETE FROM "memberships" USING "individual_profiles" WHERE "memberships"."user_id" = "individual_profiles"."user_id" AND "memberships"."organisation_id" = "individual_profiles"."unit_id" AND "memberships"."role" = 'member';
