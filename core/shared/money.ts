import { z } from 'zod';

/**
 * Money is an integer number of fen everywhere. Yuan appear only when formatting for people.
 * Parsing never goes through floating point.
 */
export function yuanToFen(input: string): number | undefined {
  const s = input.trim().replace(/[,，\s]/g, '').replace(/^[¥￥]/, '');
  const m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** ¥1,234.50 — for people; negative amounts keep their sign. */
export function formatFen(fen: number, opts: { symbol?: boolean } = {}): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100).toLocaleString('en-US');
  const cents = String(abs % 100).padStart(2, '0');
  return `${sign}${opts.symbol === false ? '' : '¥'}${yuan}.${cents}`;
}

export const Fen = z.number().int('金额必须是整数分').positive('金额必须大于 0').max(Number.MAX_SAFE_INTEGER);

/** A form field in yuan ("1234.5") parsed to fen, with bounds in fen. */
export const YuanAmount = (minFen: number, maxFen: number) =>
  z
    .string({ message: '请填写金额' })
    .transform((s, ctx) => {
      const fen = yuanToFen(s);
      if (fen === undefined) {
        ctx.addIssue({ code: 'custom', message: '金额格式不正确，最多两位小数' });
        return z.NEVER;
      }
      return fen;
    })
    .refine((f) => f >= minFen && f <= maxFen, `金额须在 ${formatFen(minFen)} 至 ${formatFen(maxFen)} 之间`);
