CREATE TYPE "public"."voucher_campaign_status" AS ENUM('draft', 'funded', 'settled', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."voucher_issuance_status" AS ENUM('scheduled', 'running', 'paused', 'stopped', 'finished');--> statement-breakpoint
CREATE TYPE "public"."voucher_merchant_status" AS ENUM('pending', 'approved', 'rejected');--> statement-breakpoint
CREATE TYPE "public"."voucher_redemption_status" AS ENUM('awaiting_payment', 'paid', 'cancelled', 'refunded');--> statement-breakpoint
CREATE TYPE "public"."voucher_status" AS ENUM('unused', 'used', 'expired');--> statement-breakpoint
ALTER TYPE "public"."ledger_account_kind" ADD VALUE 'voucher_pool';--> statement-breakpoint
ALTER TYPE "public"."ledger_account_kind" ADD VALUE 'voucher_issued';--> statement-breakpoint
ALTER TYPE "public"."ledger_account_kind" ADD VALUE 'voucher_payable';--> statement-breakpoint
CREATE TABLE "voucher_campaigns" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"bureau_id" uuid NOT NULL,
	"name" text NOT NULL,
	"document_no" text NOT NULL,
	"budget_fen" bigint NOT NULL,
	"valid_until" timestamp with time zone NOT NULL,
	"region_codes" text[],
	"per_issuance_cap" smallint,
	"status" "voucher_campaign_status" DEFAULT 'draft' NOT NULL,
	"funded_at" timestamp with time zone,
	"settled_at" timestamp with time zone,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "voucher_campaigns_budget_positive" CHECK ("voucher_campaigns"."budget_fen" > 0)
);
--> statement-breakpoint
CREATE TABLE "voucher_categories" (
	"campaign_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"merchant_categories" text[] NOT NULL,
	"sort" smallint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "voucher_issuances" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"seq" smallint NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"status" "voucher_issuance_status" DEFAULT 'scheduled' NOT NULL,
	"total_fen" bigint NOT NULL,
	"allocated_at" timestamp with time zone,
	"stopped_at" timestamp with time zone,
	"returned_fen" bigint DEFAULT 0 NOT NULL,
	"log_salt" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "voucher_merchants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"name" text NOT NULL,
	"address" text NOT NULL,
	"region_code" text NOT NULL,
	"category" text NOT NULL,
	"merchant_no" text NOT NULL,
	"photo_file_id" uuid,
	"contact_name" text NOT NULL,
	"contact_mobile" text NOT NULL,
	"bank_card_id" uuid,
	"mall_storefront" boolean DEFAULT false NOT NULL,
	"status" "voucher_merchant_status" DEFAULT 'pending' NOT NULL,
	"reject_reason" text,
	"reviewed_by" uuid,
	"reviewed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "voucher_payment_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"digits" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "voucher_redemptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"redemption_no" text NOT NULL,
	"campaign_id" uuid NOT NULL,
	"voucher_id" uuid NOT NULL,
	"merchant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"payment_code_id" uuid NOT NULL,
	"bill_fen" bigint NOT NULL,
	"discount_fen" bigint NOT NULL,
	"pay_fen" bigint NOT NULL,
	"status" "voucher_redemption_status" DEFAULT 'awaiting_payment' NOT NULL,
	"paid_at" timestamp with time zone,
	"refunded_at" timestamp with time zone,
	"discount_transfer_id" uuid,
	"settlement_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "voucher_settlements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"merchant_id" uuid NOT NULL,
	"redemptions" integer NOT NULL,
	"discount_fen" bigint NOT NULL,
	"bill_fen" bigint NOT NULL,
	"transfer_id" uuid,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "voucher_tiers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"issuance_id" uuid NOT NULL,
	"campaign_id" uuid NOT NULL,
	"category_code" text NOT NULL,
	"tier_no" smallint NOT NULL,
	"threshold_fen" bigint NOT NULL,
	"discount_fen" bigint NOT NULL,
	"count" integer NOT NULL,
	"granted" integer DEFAULT 0 NOT NULL,
	"closed" boolean DEFAULT false NOT NULL,
	CONSTRAINT "voucher_tiers_granted_range" CHECK ("voucher_tiers"."granted" >= 0 and "voucher_tiers"."granted" <= "voucher_tiers"."count"),
	CONSTRAINT "voucher_tiers_amounts" CHECK ("voucher_tiers"."discount_fen" > 0 and "voucher_tiers"."threshold_fen" > "voucher_tiers"."discount_fen" and "voucher_tiers"."count" > 0)
);
--> statement-breakpoint
CREATE TABLE "vouchers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"issuance_id" uuid NOT NULL,
	"tier_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"category_code" text NOT NULL,
	"threshold_fen" bigint NOT NULL,
	"discount_fen" bigint NOT NULL,
	"status" "voucher_status" DEFAULT 'unused' NOT NULL,
	"grant_seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "vouchers_grant_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"granted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"valid_until" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"expired_at" timestamp with time zone
);
--> statement-breakpoint
DROP INDEX "ledger_accounts_org_kind_uq";--> statement-breakpoint
ALTER TABLE "ledger_accounts" ADD COLUMN "subject_id" uuid;--> statement-breakpoint
ALTER TABLE "voucher_campaigns" ADD CONSTRAINT "voucher_campaigns_bureau_id_organisations_id_fk" FOREIGN KEY ("bureau_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_campaigns" ADD CONSTRAINT "voucher_campaigns_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_categories" ADD CONSTRAINT "voucher_categories_campaign_id_voucher_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."voucher_campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_issuances" ADD CONSTRAINT "voucher_issuances_campaign_id_voucher_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."voucher_campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_merchants" ADD CONSTRAINT "voucher_merchants_campaign_id_voucher_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."voucher_campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_merchants" ADD CONSTRAINT "voucher_merchants_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_merchants" ADD CONSTRAINT "voucher_merchants_photo_file_id_files_id_fk" FOREIGN KEY ("photo_file_id") REFERENCES "public"."files"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_merchants" ADD CONSTRAINT "voucher_merchants_bank_card_id_bank_cards_id_fk" FOREIGN KEY ("bank_card_id") REFERENCES "public"."bank_cards"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_merchants" ADD CONSTRAINT "voucher_merchants_reviewed_by_users_id_fk" FOREIGN KEY ("reviewed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_payment_codes" ADD CONSTRAINT "voucher_payment_codes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_redemptions" ADD CONSTRAINT "voucher_redemptions_campaign_id_voucher_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."voucher_campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_redemptions" ADD CONSTRAINT "voucher_redemptions_voucher_id_vouchers_id_fk" FOREIGN KEY ("voucher_id") REFERENCES "public"."vouchers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_redemptions" ADD CONSTRAINT "voucher_redemptions_merchant_id_voucher_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."voucher_merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_redemptions" ADD CONSTRAINT "voucher_redemptions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_redemptions" ADD CONSTRAINT "voucher_redemptions_payment_code_id_voucher_payment_codes_id_fk" FOREIGN KEY ("payment_code_id") REFERENCES "public"."voucher_payment_codes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_redemptions" ADD CONSTRAINT "voucher_redemptions_discount_transfer_id_ledger_transfers_id_fk" FOREIGN KEY ("discount_transfer_id") REFERENCES "public"."ledger_transfers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_settlements" ADD CONSTRAINT "voucher_settlements_campaign_id_voucher_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."voucher_campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_settlements" ADD CONSTRAINT "voucher_settlements_merchant_id_voucher_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."voucher_merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_settlements" ADD CONSTRAINT "voucher_settlements_transfer_id_ledger_transfers_id_fk" FOREIGN KEY ("transfer_id") REFERENCES "public"."ledger_transfers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_settlements" ADD CONSTRAINT "voucher_settlements_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_tiers" ADD CONSTRAINT "voucher_tiers_issuance_id_voucher_issuances_id_fk" FOREIGN KEY ("issuance_id") REFERENCES "public"."voucher_issuances"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voucher_tiers" ADD CONSTRAINT "voucher_tiers_campaign_id_voucher_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."voucher_campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vouchers" ADD CONSTRAINT "vouchers_campaign_id_voucher_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."voucher_campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vouchers" ADD CONSTRAINT "vouchers_issuance_id_voucher_issuances_id_fk" FOREIGN KEY ("issuance_id") REFERENCES "public"."voucher_issuances"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vouchers" ADD CONSTRAINT "vouchers_tier_id_voucher_tiers_id_fk" FOREIGN KEY ("tier_id") REFERENCES "public"."voucher_tiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vouchers" ADD CONSTRAINT "vouchers_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "voucher_campaigns_bureau_idx" ON "voucher_campaigns" USING btree ("bureau_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "voucher_categories_pk" ON "voucher_categories" USING btree ("campaign_id","code");--> statement-breakpoint
CREATE UNIQUE INDEX "voucher_issuances_seq_uq" ON "voucher_issuances" USING btree ("campaign_id","seq");--> statement-breakpoint
CREATE INDEX "voucher_issuances_starts_idx" ON "voucher_issuances" USING btree ("status","starts_at");--> statement-breakpoint
CREATE UNIQUE INDEX "voucher_merchants_org_uq" ON "voucher_merchants" USING btree ("campaign_id","organisation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "voucher_merchants_no_uq" ON "voucher_merchants" USING btree ("campaign_id","merchant_no");--> statement-breakpoint
CREATE INDEX "voucher_merchants_list_idx" ON "voucher_merchants" USING btree ("campaign_id","status","region_code","category");--> statement-breakpoint
CREATE UNIQUE INDEX "voucher_payment_codes_digits_uq" ON "voucher_payment_codes" USING btree ("digits");--> statement-breakpoint
CREATE INDEX "voucher_payment_codes_user_idx" ON "voucher_payment_codes" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "voucher_redemptions_no_uq" ON "voucher_redemptions" USING btree ("redemption_no");--> statement-breakpoint
CREATE UNIQUE INDEX "voucher_redemptions_code_uq" ON "voucher_redemptions" USING btree ("payment_code_id");--> statement-breakpoint
CREATE UNIQUE INDEX "voucher_redemptions_live_uq" ON "voucher_redemptions" USING btree ("voucher_id") WHERE "voucher_redemptions"."status" in ('awaiting_payment', 'paid', 'refunded');--> statement-breakpoint
CREATE INDEX "voucher_redemptions_merchant_idx" ON "voucher_redemptions" USING btree ("merchant_id","created_at");--> statement-breakpoint
CREATE INDEX "voucher_redemptions_campaign_idx" ON "voucher_redemptions" USING btree ("campaign_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "voucher_settlements_uq" ON "voucher_settlements" USING btree ("campaign_id","merchant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "voucher_tiers_uq" ON "voucher_tiers" USING btree ("issuance_id","category_code","tier_no");--> statement-breakpoint
CREATE UNIQUE INDEX "vouchers_user_tier_uq" ON "vouchers" USING btree ("user_id","tier_id");--> statement-breakpoint
CREATE INDEX "vouchers_issuance_seq_idx" ON "vouchers" USING btree ("issuance_id","grant_seq");--> statement-breakpoint
CREATE INDEX "vouchers_user_idx" ON "vouchers" USING btree ("user_id","status","valid_until");--> statement-breakpoint
CREATE INDEX "vouchers_campaign_status_idx" ON "vouchers" USING btree ("campaign_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_accounts_subject_kind_uq" ON "ledger_accounts" USING btree ("subject_id","kind") WHERE "ledger_accounts"."subject_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_accounts_org_kind_uq" ON "ledger_accounts" USING btree ("organisation_id","kind") WHERE "ledger_accounts"."organisation_id" is not null and "ledger_accounts"."subject_id" is null;