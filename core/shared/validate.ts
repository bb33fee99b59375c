import { z } from 'zod';
import { AppError } from './app-error';
import './zod-messages';

/** Flattens zod issues into one Chinese message per field (the first issue wins). */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join('.') : '_';
    if (!(key in fields)) fields[key] = issue.message;
  }
  return fields;
}

/**
 * Options for an object-level refine or superRefine that reads `keys`: it runs whenever those fields
 * passed, not only when the whole object did, so a form's cross-field message (两次输入的密码不一致,
 * 预算上限不能低于下限) comes in the same answer as the other fields' messages, not one round later.
 */
export const whenFieldsValid = (...keys: string[]) => ({
  when: (payload: z.core.ParsePayload) =>
    typeof payload.value === 'object' && payload.value !== null && !payload.issues.some((issue) => !issue.path?.length || keys.includes(String(issue.path[0]))),
});

/** Parses input with a schema or throws VALIDATION with field-level messages. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new AppError('VALIDATION', '请检查填写的内容', fieldErrors(r.error));
  return r.data;
}

/**
 * Characters no text field stores: C0 controls other than tab, line feed and carriage return, DEL,
 * and the C1 controls. PostgreSQL refuses NUL outright; the others only confuse whoever reads them.
 */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
// eslint-disable-next-line no-control-regex
const LINE_CONTROL_CHARACTERS = /[\u0000-\u001F\u007F-\u009F]/;

/** True when a string is well-formed UTF-16 (no lone surrogate) and carries no control characters. */
export function isCleanText(s: string, opts: { multiline?: boolean } = {}): boolean {
  return s.isWellFormed() && !(opts.multiline ? CONTROL_CHARACTERS : LINE_CONTROL_CHARACTERS).test(s);
}

export const CONTROL_CHARACTER_MESSAGE = '不能包含控制字符或无法识别的字符';

/**
 * A text field: trimmed, at most `max` characters, refusing NUL and other control characters and lone
 * surrogates with a Chinese message. `multiline` lets tabs and line breaks through (descriptions,
 * messages). Search boxes, names and path values use the single-line default.
 */
const Text = (opts: { max: number; multiline?: boolean; message?: string }) =>
  z
    .string()
    .refine((s) => isCleanText(s, opts), CONTROL_CHARACTER_MESSAGE)
    .transform((s) => s.trim())
    .refine((s) => s.length <= opts.max, opts.message ?? `不超过 ${opts.max} 个字`);

/** A search keyword from a query string: optional, blank means none. */
export const SearchKeyword = (max = 100, message = `搜索词不超过 ${max} 个字`) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), Text({ max, message }).optional());
