ALTER TABLE "voucher_redemptions" ALTER COLUMN "payment_code_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "mall_orders" ADD COLUMN "coupon_discount_fen" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "voucher_redemptions" ADD COLUMN "mall_order_id" uuid;