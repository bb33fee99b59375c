import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { GatewayNotice } from './recharge.machine';

/** The banks the online recharge page offers (debit cards and corporate online banking). */
export const BANKS = [
  { code: 'ICBC', name: '中国工商银行', limitNote: '个人储蓄卡单笔 5 万元；企业网银以开户行设置为准' },
  { code: 'ABC', name: '中国农业银行', limitNote: '个人储蓄卡单笔 5 万元' },
  { code: 'BOC', name: '中国银行', limitNote: '个人储蓄卡单笔 5 万元' },
  { code: 'CCB', name: '中国建设银行', limitNote: '个人储蓄卡单笔 5 万元' },
  { code: 'BOCOM', name: '交通银行', limitNote: '个人储蓄卡单笔 5 万元' },
  { code: 'PSBC', name: '中国邮政储蓄银行', limitNote: '个人储蓄卡单笔 2 万元' },
  { code: 'CMB', name: '招商银行', limitNote: '个人储蓄卡单笔 5 万元' },
  { code: 'CIB', name: '兴业银行', limitNote: '个人储蓄卡单笔 5 万元' },
  { code: 'CITIC', name: '中信银行', limitNote: '个人储蓄卡单笔 1 万元' },
  { code: 'GZB', name: '赣州银行', limitNote: '个人储蓄卡单笔 5 万元' },
] as const;
export type BankCode = (typeof BANKS)[number]['code'];
export const BANK_CODES = BANKS.map((b) => b.code) as [BankCode, ...BankCode[]];

/** The 17 banks whose corporate online banking the manual lists (中国银联商务对公支付). */
export const CORPORATE_BANKS = [
  { code: 'ICBC', name: '中国工商银行' },
  { code: 'CCB', name: '中国建设银行' },
  { code: 'ABC', name: '中国农业银行' },
  { code: 'PSBC', name: '中国邮政储蓄银行' },
  { code: 'BOCOM', name: '交通银行' },
  { code: 'CMB', name: '招商银行' },
  { code: 'SPDB', name: '浦发银行' },
  { code: 'PAB', name: '平安银行' },
  { code: 'CEB', name: '中国光大银行' },
  { code: 'HXB', name: '华夏银行' },
  { code: 'CMBC', name: '中国民生银行' },
  { code: 'CITIC', name: '中信银行' },
  { code: 'BOB', name: '北京银行' },
  { code: 'BOS', name: '上海银行' },
  { code: 'NBCB', name: '宁波银行' },
  { code: 'QDCCB', name: '青岛银行' },
  { code: 'CZB', name: '浙商银行' },
] as const;
export const PERSONAL_PAY = { code: 'WECHAT', name: '微信支付' } as const;

/**
 * The phone payment channels of the gateway (its WeChat-like and Alipay-like pages): the mall and the
 * voucher redemptions pay by 微信支付; wallet recharges offer both, before online banking.
 */
export const PHONE_PAY = [PERSONAL_PAY, { code: 'ALIPAY', name: '支付宝' }] as const;
export type PhonePayCode = (typeof PHONE_PAY)[number]['code'];
export const isPhonePay = (code: string): code is PhonePayCode => PHONE_PAY.some((c) => c.code === code);

/** A bank's or channel's name for people (the sandbox pages and statements). */
export const bankName = (code: string) =>
  PHONE_PAY.find((c) => c.code === code)?.name ?? BANKS.find((b) => b.code === code)?.name ?? CORPORATE_BANKS.find((b) => b.code === code)?.name ?? code;

export interface CreatePaymentInput {
  orderNo: string;
  amountFen: number;
  bankCode: string;
  /** Where the payer's browser goes after the bank page. */
  returnUrl: string;
  /** Where the gateway posts its signed asynchronous notice. */
  notifyUrl: string;
}

/** A payment gateway (快钱-style): the payer pays on its pages; it tells us by signed callbacks. */
export interface PaymentGateway {
  readonly name: string;
  /** Returns the URL to send the payer's browser to. */
  createPayment(input: CreatePaymentInput): Promise<{ redirectUrl: string }>;
  /**
   * Verifies a callback's signature and the freshness of its signed timestamp: a forged or malformed
   * one is `forged`, a genuine one signed too long ago (a replay) or too far ahead is `stale`.
   */
  verifyNotice(headers: Record<string, string | undefined>, rawBody: string): NoticeCheck;
}

export type NoticeCheck = { ok: true; notice: GatewayNotice } | { ok: false; reason: 'forged' | 'stale'; notice?: GatewayNotice };

/** A notice signed longer ago than this is refused (the gateway retries with a fresh signature). */
export const NOTICE_MAX_AGE_MS = 5 * 60_000;
/** How far the gateway's clock may run ahead of ours. */
export const NOTICE_MAX_AHEAD_MS = 60_000;

export const SIGNATURE_HEADER = 'x-gateway-signature';
export const TIMESTAMP_HEADER = 'x-gateway-timestamp';

const NoticeBody = z.object({
  orderNo: z.string().min(1).max(64),
  tradeNo: z.string().min(1).max(64),
  amountFen: z.number().int().positive(),
  result: z.enum(['SUCCESS', 'FAILED']),
});

/** HMAC-SHA256 over `timestamp.body`, hex. */
export const signNotice = (secret: string, timestamp: string, rawBody: string) => createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');

/**
 * Checks the HMAC over `timestamp.body`, the body's shape, and that the timestamp (milliseconds since
 * the epoch) is within NOTICE_MAX_AGE_MS before and NOTICE_MAX_AHEAD_MS after `nowMs`. The timestamp is
 * the gateway's wall clock, so `nowMs` is ours, never the business clock (which tests and demos move).
 */
export function verifySignedNotice(secret: string, headers: Record<string, string | undefined>, rawBody: string, nowMs = Date.now()): NoticeCheck {
  const sig = headers[SIGNATURE_HEADER];
  const ts = headers[TIMESTAMP_HEADER];
  if (!sig || !ts || !/^[0-9a-f]{64}$/.test(sig) || !/^\d{1,16}$/.test(ts)) return { ok: false, reason: 'forged' };
  const expected = Buffer.from(signNotice(secret, ts, rawBody), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(sig, 'hex'))) return { ok: false, reason: 'forged' };
  let notice: GatewayNotice;
  try {
    const parsed = NoticeBody.safeParse(JSON.parse(rawBody));
    if (!parsed.success) return { ok: false, reason: 'forged' };
    notice = parsed.data;
  } catch {
    return { ok: false, reason: 'forged' };
  }
  const age = nowMs - Number(ts);
  if (age > NOTICE_MAX_AGE_MS || age < -NOTICE_MAX_AHEAD_MS) return { ok: false, reason: 'stale', notice };
  return { ok: true, notice };
}
