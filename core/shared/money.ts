/**
 * Money is an integer number of fen everywhere. Yuan appear only when formatting for people.
 * Parsing never goes through floating point.
 */
export function yuanToFen(input: string): number | undefined {
  const s = input
    .trim()
    .replace(/[,，\s]/g, '')
    .replace(/^[¥￥]/, '');
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

/** The one message for a yuan amount people typed that is not a number with at most two decimals. */
export const YUAN_FORMAT_MESSAGE = '金额格式不正确，请填写数字，最多两位小数';

/**
 * A yuan amount typed in a form → fen. Empty is no amount (`{}`, the service names what is missing);
 * anything that is not a non-negative number with at most two decimals is `{ error }`.
 */
export function parseYuanInput(raw: string | null | undefined): { fen?: number; error?: string } {
  const s = (raw ?? '').trim();
  if (!s) return {};
  const fen = yuanToFen(s);
  return fen === undefined ? { error: YUAN_FORMAT_MESSAGE } : { fen };
}

/** Fen as the value of a yuan input: 3000000 → "30000", 123450 → "1234.5". */
export const fenToYuanInput = (fen: number | null | undefined) => (fen == null ? '' : (fen / 100).toFixed(2).replace(/\.?0+$/, ''));

/** Fen as a plain yuan number with two decimals for files (CSV, XLSX): 123450 → "1234.50". */
export const fenToYuan = (fen: number) => (fen / 100).toFixed(2);
