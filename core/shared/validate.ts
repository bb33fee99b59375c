import type { z } from 'zod';
import { AppError } from './app-error';

/** Flattens zod issues into one Chinese message per field (the first issue wins). */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join('.') : '_';
    if (!(key in fields)) fields[key] = issue.message;
  }
  return fields;
}

/** Parses input with a schema or throws VALIDATION with field-level messages. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new AppError('VALIDATION', '请检查填写的内容', fieldErrors(r.error));
  return r.data;
}
