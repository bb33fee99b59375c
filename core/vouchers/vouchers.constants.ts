/**
 * What every part of the vouchers context shares: merchant categories (the manual: 通用券 covers
 * 超市、商场、百货、家电、建材; 餐饮券 covers 餐饮) and the default coupon categories of a campaign.
 * Pure data, safe for the browser.
 */
export const VOUCHER_MERCHANT_CATEGORIES = [
  { code: 'supermarket', name: '超市' },
  { code: 'mall', name: '商场' },
  { code: 'department_store', name: '百货' },
  { code: 'appliances', name: '家电' },
  { code: 'home', name: '家居' },
  { code: 'building_materials', name: '建材' },
  { code: 'dining', name: '餐饮' },
] as const;
export type VoucherMerchantCategory = (typeof VOUCHER_MERCHANT_CATEGORIES)[number]['code'];
export const VOUCHER_MERCHANT_CATEGORY_CODES = VOUCHER_MERCHANT_CATEGORIES.map((c) => c.code) as [VoucherMerchantCategory, ...VoucherMerchantCategory[]];
export const merchantCategoryName = (code: string) => VOUCHER_MERCHANT_CATEGORIES.find((c) => c.code === code)?.name ?? code;

/** A new campaign's coupon categories unless the bureau changes them. */
export const DEFAULT_VOUCHER_CATEGORIES = [
  { code: 'general', name: '通用券', merchantCategories: ['supermarket', 'mall', 'department_store', 'appliances', 'building_materials'] },
  { code: 'dining', name: '餐饮券', merchantCategories: ['dining'] },
] as const satisfies readonly { code: string; name: string; merchantCategories: readonly VoucherMerchantCategory[] }[];

/** The ledger accounts of a campaign (subject = campaign id), see db/schema/vouchers.ts. */
export const CAMPAIGN_ACCOUNT_KINDS = ['voucher_pool', 'voucher_issued', 'voucher_payable'] as const;

/** Payment codes live this long and are refreshed before they end. */
export const PAYMENT_CODE_TTL_MS = 60_000;
