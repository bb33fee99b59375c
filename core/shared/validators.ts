import { z } from 'zod';
import validator from 'validator';
import './zod-messages';

const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/**
 * Computes the GB 32100-2015 check character for the first 17 characters of a
 * unified social credit code, or undefined when a character is outside the code's alphabet.
 */
export function usccCheckCharacter(first17: string): string | undefined {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_ALPHABET.indexOf(first17[i] ?? '');
    if (v < 0) return undefined;
    sum += v * USCC_WEIGHTS[i]!;
  }
  const c = (31 - (sum % 31)) % 31;
  return USCC_ALPHABET[c];
}

/** True when the code is 18 characters from the GB 32100-2015 alphabet with a correct check character. */
export function isValidUscc(code: string): boolean {
  const s = code.trim().toUpperCase();
  if (!/^[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10}$/.test(s)) return false;
  return usccCheckCharacter(s.slice(0, 17)) === s[17];
}

/** Mainland China mobile numbers (11 digits, 13x–19x), optionally written with +86. */
export function isMainlandMobile(v: string): boolean {
  const s = v.replace(/^\+?86/, '');
  return /^1[3-9]\d{9}$/.test(s) && validator.isMobilePhone(s, 'zh-CN');
}

export const normaliseMobile = (v: string) =>
  v
    .trim()
    .replace(/[\s-]/g, '')
    .replace(/^\+?86/, '');

/** An 18-character code with its check character, named as the form or sheet names it (统一信用代码 in manual 003). */
export const usccNamed = (label: string) =>
  z
    .string({ message: `请填写${label}` })
    .trim()
    .transform((s) => s.toUpperCase())
    .refine((s) => s.length === 18, `${label}应为 18 位`)
    .refine(isValidUscc, `${label}校验位不正确，请核对`);

export const Uscc = usccNamed('统一社会信用代码');

export const Mobile = z.string({ message: '请填写手机号' }).transform(normaliseMobile).refine(isMainlandMobile, '请填写正确的 11 位大陆手机号');

export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, '邮箱过长')
  // validator throws on a lone surrogate (its punycode step): check the string is well-formed first.
  .refine((s) => s.isWellFormed() && validator.isEmail(s), '邮箱格式不正确');

export const Username = z
  .string({ message: '请填写用户名' })
  .trim()
  .regex(/^[A-Za-z0-9]{4,20}$/, '用户名由字母和数字组成，长度 4–20 位');

export const Password = z
  .string({ message: '请填写密码' })
  .min(8, '密码长度 8–32 位')
  .max(32, '密码长度 8–32 位')
  .regex(/^[A-Za-z0-9]+$/, '密码只能由字母和数字组成')
  .refine((s) => /[A-Za-z]/.test(s) && /\d/.test(s), '密码须同时包含字母和数字');

export const SmsCode = z
  .string({ message: '请填写验证码' })
  .trim()
  .regex(/^\d{6}$/, '验证码为 6 位数字');
