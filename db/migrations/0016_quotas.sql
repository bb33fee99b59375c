CREATE TYPE "public"."import_batch_status" AS ENUM('parsing', 'ready', 'confirming', 'done', 'failed');--> statement-breakpoint
CREATE TYPE "public"."import_row_status" AS ENUM('pending', 'new', 'update', 'error');--> statement-breakpoint
CREATE TYPE "public"."budget_level" AS ENUM('中央', '省', '市', '县', '乡');--> statement-breakpoint
CREATE TYPE "public"."budget_unit_role" AS ENUM('central_dept', 'finance_dept', 'unit');--> statement-breakpoint
ALTER TYPE "public"."member_role" ADD VALUE 'buyer';--> statement-breakpoint
CREATE TABLE "account_activations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"code_hash" text NOT NULL,
	"organisation_id" uuid,
	"failed_attempts" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "import_batches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"organisation_id" uuid NOT NULL,
	"uploaded_by" uuid NOT NULL,
	"filename" text NOT NULL,
	"file" "bytea",
	"size_bytes" integer NOT NULL,
	"status" "import_batch_status" DEFAULT 'parsing' NOT NULL,
	"failure" text,
	"progress" integer DEFAULT 0 NOT NULL,
	"total_rows" integer DEFAULT 0 NOT NULL,
	"valid_rows" integer DEFAULT 0 NOT NULL,
	"error_rows" integer DEFAULT 0 NOT NULL,
	"new_rows" integer DEFAULT 0 NOT NULL,
	"update_rows" integer DEFAULT 0 NOT NULL,
	"written_rows" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"confirmed_by" uuid,
	"confirmed_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "import_rows" (
	"batch_id" uuid NOT NULL,
	"row" integer NOT NULL,
	"cells" jsonb NOT NULL,
	"value" jsonb,
	"status" "import_row_status" DEFAULT 'pending' NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"target_id" uuid,
	"written_at" timestamp with time zone,
	CONSTRAINT "import_rows_batch_id_row_pk" PRIMARY KEY("batch_id","row")
);
--> statement-breakpoint
CREATE TABLE "budget_unit_tree" (
	"ancestor_id" uuid NOT NULL,
	"descendant_id" uuid NOT NULL,
	"depth" smallint NOT NULL,
	CONSTRAINT "budget_unit_tree_ancestor_id_descendant_id_pk" PRIMARY KEY("ancestor_id","descendant_id")
);
--> statement-breakpoint
CREATE TABLE "budget_units" (
	"organisation_id" uuid PRIMARY KEY NOT NULL,
	"role" "budget_unit_role" DEFAULT 'unit' NOT NULL,
	"superior_id" uuid,
	"contact_name" text NOT NULL,
	"contact_mobile" text NOT NULL,
	"budget_level" "budget_level" NOT NULL,
	"admin_level" text,
	"annual_fen" bigint DEFAULT 0 NOT NULL,
	"ratio_bp" integer DEFAULT 0 NOT NULL,
	"account_at" timestamp with time zone,
	"confirmed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "budget_units_ratio_range" CHECK ("budget_units"."ratio_bp" between 0 and 10000),
	CONSTRAINT "budget_units_annual_non_negative" CHECK ("budget_units"."annual_fen" >= 0)
);
--> statement-breakpoint
CREATE TABLE "quota_purchasers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"budget_unit_id" uuid NOT NULL,
	"name" text NOT NULL,
	"uscc" text NOT NULL,
	"kind" text NOT NULL,
	"contact_name" text NOT NULL,
	"mobile" text NOT NULL,
	"user_id" uuid,
	"account_at" timestamp with time zone,
	"activated_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "account_activations" ADD CONSTRAINT "account_activations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_batches" ADD CONSTRAINT "import_batches_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_batches" ADD CONSTRAINT "import_batches_uploaded_by_users_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_batches" ADD CONSTRAINT "import_batches_confirmed_by_users_id_fk" FOREIGN KEY ("confirmed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_rows" ADD CONSTRAINT "import_rows_batch_id_import_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."import_batches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "budget_unit_tree" ADD CONSTRAINT "budget_unit_tree_ancestor_id_organisations_id_fk" FOREIGN KEY ("ancestor_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "budget_unit_tree" ADD CONSTRAINT "budget_unit_tree_descendant_id_organisations_id_fk" FOREIGN KEY ("descendant_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "budget_units" ADD CONSTRAINT "budget_units_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "budget_units" ADD CONSTRAINT "budget_units_superior_id_organisations_id_fk" FOREIGN KEY ("superior_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quota_purchasers" ADD CONSTRAINT "quota_purchasers_budget_unit_id_organisations_id_fk" FOREIGN KEY ("budget_unit_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quota_purchasers" ADD CONSTRAINT "quota_purchasers_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "account_activations_code_uq" ON "account_activations" USING btree ("code_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "account_activations_open_uq" ON "account_activations" USING btree ("user_id") WHERE "account_activations"."used_at" is null;--> statement-breakpoint
CREATE INDEX "import_batches_org_idx" ON "import_batches" USING btree ("organisation_id","kind","created_at");--> statement-breakpoint
CREATE INDEX "import_rows_status_idx" ON "import_rows" USING btree ("batch_id","status","row");--> statement-breakpoint
CREATE INDEX "import_rows_unwritten_idx" ON "import_rows" USING btree ("batch_id","row") WHERE "import_rows"."written_at" is null and "import_rows"."status" in ('new', 'update');--> statement-breakpoint
CREATE INDEX "budget_unit_tree_descendant_idx" ON "budget_unit_tree" USING btree ("descendant_id","depth");--> statement-breakpoint
CREATE INDEX "budget_units_superior_idx" ON "budget_units" USING btree ("superior_id");--> statement-breakpoint
CREATE UNIQUE INDEX "quota_purchasers_uscc_uq" ON "quota_purchasers" USING btree ("uscc");--> statement-breakpoint
CREATE INDEX "quota_purchasers_unit_idx" ON "quota_purchasers" USING btree ("budget_unit_id","created_at");