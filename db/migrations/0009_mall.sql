CREATE TYPE "public"."mall_buyer_kind" AS ENUM('unit', 'individual');--> statement-breakpoint
CREATE TYPE "public"."mall_order_status" AS ENUM('pending_payment', 'paid', 'shipped', 'received', 'completed', 'cancelled', 'refunded');--> statement-breakpoint
CREATE TYPE "public"."mall_pay_method" AS ENUM('corporate_online', 'offline_transfer', 'personal_online');--> statement-breakpoint
CREATE TYPE "public"."mall_payment_status" AS ENUM('pending', 'paid', 'failed', 'expired', 'rejected');--> statement-breakpoint
CREATE TYPE "public"."product_status" AS ENUM('draft', 'listed', 'unlisted', 'taken_down');--> statement-breakpoint
CREATE TYPE "public"."unit_attribute_kind" AS ENUM('central', 'shandong', 'city_group', 'other');--> statement-breakpoint
CREATE TABLE "addresses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"recipient" text NOT NULL,
	"mobile" text NOT NULL,
	"region_code" text NOT NULL,
	"detail" text NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cart_items" (
	"user_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"quantity" integer NOT NULL,
	"selected" boolean DEFAULT true NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cart_items_quantity" CHECK ("cart_items"."quantity" between 1 and 9999)
);
--> statement-breakpoint
CREATE TABLE "individual_profiles" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"real_name" text NOT NULL,
	"region_code" text NOT NULL,
	"unit_id" uuid,
	"note" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mall_order_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"order_id" uuid NOT NULL,
	"type" text NOT NULL,
	"actor_user_id" uuid,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mall_order_lines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"order_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"name" text NOT NULL,
	"unit" text NOT NULL,
	"category_code" text NOT NULL,
	"origin_code" text NOT NULL,
	"quantity" integer NOT NULL,
	"list_price_fen" bigint NOT NULL,
	"price_fen" bigint NOT NULL,
	CONSTRAINT "mall_order_lines_positive" CHECK ("mall_order_lines"."quantity" > 0 and "mall_order_lines"."price_fen" > 0)
);
--> statement-breakpoint
CREATE TABLE "mall_orders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"order_no" text NOT NULL,
	"checkout_id" uuid NOT NULL,
	"buyer_user_id" uuid NOT NULL,
	"buyer_kind" "mall_buyer_kind" NOT NULL,
	"unit_id" uuid,
	"merchant_id" uuid NOT NULL,
	"status" "mall_order_status" DEFAULT 'pending_payment' NOT NULL,
	"total_fen" bigint NOT NULL,
	"bulk" boolean DEFAULT false NOT NULL,
	"pay_method" "mall_pay_method",
	"reimbursable" boolean DEFAULT false NOT NULL,
	"address" jsonb NOT NULL,
	"note" text,
	"expires_at" timestamp with time zone,
	"paid_at" timestamp with time zone,
	"carrier" text,
	"tracking_no" text,
	"shipped_at" timestamp with time zone,
	"received_at" timestamp with time zone,
	"completes_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"cancel_reason" text,
	"refund_status" text,
	"refund_reason" text,
	"refunded_at" timestamp with time zone,
	"status_before_refund" "mall_order_status",
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "mall_orders_order_no_unique" UNIQUE("order_no"),
	CONSTRAINT "mall_orders_total_positive" CHECK ("mall_orders"."total_fen" > 0)
);
--> statement-breakpoint
CREATE TABLE "mall_payments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"payment_no" text NOT NULL,
	"order_ids" uuid[] NOT NULL,
	"payer_user_id" uuid NOT NULL,
	"method" "mall_pay_method" NOT NULL,
	"amount_fen" bigint NOT NULL,
	"bank_code" text,
	"status" "mall_payment_status" DEFAULT 'pending' NOT NULL,
	"receipt_file_id" uuid,
	"payer_account_name" text,
	"reject_reason" text,
	"reviewed_by" uuid,
	"trade_no" text,
	"paid_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "mall_payments_payment_no_unique" UNIQUE("payment_no"),
	CONSTRAINT "mall_payments_amount_positive" CHECK ("mall_payments"."amount_fen" > 0)
);
--> statement-breakpoint
CREATE TABLE "product_categories" (
	"code" text PRIMARY KEY NOT NULL,
	"parent_code" text,
	"name" text NOT NULL,
	"sort" smallint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "product_images" (
	"file_id" uuid NOT NULL,
	"size" text NOT NULL,
	"content_type" text NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"data" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "products" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"category_code" text NOT NULL,
	"origin_code" text NOT NULL,
	"price_fen" bigint NOT NULL,
	"unit" text NOT NULL,
	"stock" integer NOT NULL,
	"sold" integer DEFAULT 0 NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"contact_phone" text,
	"image_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"status" "product_status" DEFAULT 'draft' NOT NULL,
	"featured" boolean DEFAULT false NOT NULL,
	"takedown_reason" text,
	"search_vector" "tsvector",
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "products_price_positive" CHECK ("products"."price_fen" > 0),
	CONSTRAINT "products_stock_non_negative" CHECK ("products"."stock" >= 0)
);
--> statement-breakpoint
CREATE TABLE "unit_attribute_groups" (
	"code" text PRIMARY KEY NOT NULL,
	"kind" "unit_attribute_kind" NOT NULL,
	"name" text NOT NULL,
	"sort" smallint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "unit_profiles" (
	"organisation_id" uuid PRIMARY KEY NOT NULL,
	"attribute_kind" "unit_attribute_kind" NOT NULL,
	"attribute_group_code" text,
	"region_code" text NOT NULL,
	"search_vector" "tsvector",
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "addresses" ADD CONSTRAINT "addresses_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cart_items" ADD CONSTRAINT "cart_items_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cart_items" ADD CONSTRAINT "cart_items_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "individual_profiles" ADD CONSTRAINT "individual_profiles_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "individual_profiles" ADD CONSTRAINT "individual_profiles_unit_id_organisations_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mall_order_events" ADD CONSTRAINT "mall_order_events_order_id_mall_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."mall_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mall_order_events" ADD CONSTRAINT "mall_order_events_actor_user_id_users_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mall_order_lines" ADD CONSTRAINT "mall_order_lines_order_id_mall_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."mall_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mall_order_lines" ADD CONSTRAINT "mall_order_lines_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mall_orders" ADD CONSTRAINT "mall_orders_buyer_user_id_users_id_fk" FOREIGN KEY ("buyer_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mall_orders" ADD CONSTRAINT "mall_orders_unit_id_organisations_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mall_orders" ADD CONSTRAINT "mall_orders_merchant_id_organisations_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mall_payments" ADD CONSTRAINT "mall_payments_payer_user_id_users_id_fk" FOREIGN KEY ("payer_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mall_payments" ADD CONSTRAINT "mall_payments_receipt_file_id_files_id_fk" FOREIGN KEY ("receipt_file_id") REFERENCES "public"."files"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mall_payments" ADD CONSTRAINT "mall_payments_reviewed_by_users_id_fk" FOREIGN KEY ("reviewed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_images" ADD CONSTRAINT "product_images_file_id_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."files"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_merchant_id_organisations_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_category_code_product_categories_code_fk" FOREIGN KEY ("category_code") REFERENCES "public"."product_categories"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unit_profiles" ADD CONSTRAINT "unit_profiles_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unit_profiles" ADD CONSTRAINT "unit_profiles_attribute_group_code_unit_attribute_groups_code_fk" FOREIGN KEY ("attribute_group_code") REFERENCES "public"."unit_attribute_groups"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "addresses_user_idx" ON "addresses" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "addresses_one_default_uq" ON "addresses" USING btree ("user_id") WHERE "addresses"."is_default";--> statement-breakpoint
CREATE UNIQUE INDEX "cart_items_uq" ON "cart_items" USING btree ("user_id","product_id");--> statement-breakpoint
CREATE INDEX "mall_order_events_idx" ON "mall_order_events" USING btree ("order_id","created_at");--> statement-breakpoint
CREATE INDEX "mall_order_lines_order_idx" ON "mall_order_lines" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "mall_orders_buyer_idx" ON "mall_orders" USING btree ("buyer_user_id","created_at");--> statement-breakpoint
CREATE INDEX "mall_orders_merchant_idx" ON "mall_orders" USING btree ("merchant_id","status","created_at");--> statement-breakpoint
CREATE INDEX "mall_orders_unit_idx" ON "mall_orders" USING btree ("unit_id","paid_at");--> statement-breakpoint
CREATE INDEX "mall_orders_due_idx" ON "mall_orders" USING btree ("expires_at") WHERE "mall_orders"."status" = 'pending_payment';--> statement-breakpoint
CREATE INDEX "mall_payments_status_idx" ON "mall_payments" USING btree ("method","status","created_at");--> statement-breakpoint
CREATE INDEX "product_categories_parent_idx" ON "product_categories" USING btree ("parent_code","sort");--> statement-breakpoint
CREATE UNIQUE INDEX "product_images_uq" ON "product_images" USING btree ("file_id","size");--> statement-breakpoint
CREATE INDEX "products_merchant_idx" ON "products" USING btree ("merchant_id","updated_at");--> statement-breakpoint
CREATE INDEX "products_listed_idx" ON "products" USING btree ("status","category_code");--> statement-breakpoint
CREATE INDEX "products_origin_idx" ON "products" USING btree ("origin_code");--> statement-breakpoint
CREATE INDEX "products_search_idx" ON "products" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "unit_attribute_groups_kind_idx" ON "unit_attribute_groups" USING btree ("kind","sort");--> statement-breakpoint
CREATE INDEX "unit_profiles_kind_idx" ON "unit_profiles" USING btree ("attribute_kind","attribute_group_code");--> statement-breakpoint
CREATE INDEX "unit_profiles_search_idx" ON "unit_profiles" USING gin ("search_vector");