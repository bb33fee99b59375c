CREATE TABLE "mall_reviews" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"order_line_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"merchant_id" uuid NOT NULL,
	"buyer_user_id" uuid NOT NULL,
	"product_stars" smallint NOT NULL,
	"merchant_stars" smallint NOT NULL,
	"body" text DEFAULT '' NOT NULL,
	"photo_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"reply" text,
	"replied_by" uuid,
	"replied_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "mall_reviews_stars" CHECK ("mall_reviews"."product_stars" between 1 and 5 and "mall_reviews"."merchant_stars" between 1 and 5)
);
--> statement-breakpoint
CREATE TABLE "visitor_cart_items" (
	"cart_id" text NOT NULL,
	"product_id" uuid NOT NULL,
	"quantity" integer NOT NULL,
	"selected" boolean DEFAULT true NOT NULL,
	"added_at" timestamp with time zone NOT NULL,
	CONSTRAINT "visitor_cart_items_quantity" CHECK ("visitor_cart_items"."quantity" between 1 and 99)
);
--> statement-breakpoint
CREATE TABLE "visitor_carts" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "mall_reviews" ADD CONSTRAINT "mall_reviews_order_line_id_mall_order_lines_id_fk" FOREIGN KEY ("order_line_id") REFERENCES "public"."mall_order_lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mall_reviews" ADD CONSTRAINT "mall_reviews_order_id_mall_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."mall_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mall_reviews" ADD CONSTRAINT "mall_reviews_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mall_reviews" ADD CONSTRAINT "mall_reviews_merchant_id_organisations_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mall_reviews" ADD CONSTRAINT "mall_reviews_buyer_user_id_users_id_fk" FOREIGN KEY ("buyer_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mall_reviews" ADD CONSTRAINT "mall_reviews_replied_by_users_id_fk" FOREIGN KEY ("replied_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visitor_cart_items" ADD CONSTRAINT "visitor_cart_items_cart_id_visitor_carts_id_fk" FOREIGN KEY ("cart_id") REFERENCES "public"."visitor_carts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visitor_cart_items" ADD CONSTRAINT "visitor_cart_items_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "mall_reviews_line_uq" ON "mall_reviews" USING btree ("order_line_id");--> statement-breakpoint
CREATE INDEX "mall_reviews_product_idx" ON "mall_reviews" USING btree ("product_id","created_at");--> statement-breakpoint
CREATE INDEX "mall_reviews_merchant_idx" ON "mall_reviews" USING btree ("merchant_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "visitor_cart_items_uq" ON "visitor_cart_items" USING btree ("cart_id","product_id");--> statement-breakpoint
CREATE INDEX "visitor_carts_expires_idx" ON "visitor_carts" USING btree ("expires_at");