import { describe, expect, it } from 'vitest';
import { AppError, CONTEXT_ERRORS, ERROR_STATUS, mergeErrorTables, SHARED_ERRORS } from './app-error';

describe('error codes', () => {
  it('merges the shared and every context table into one code -> status table', () => {
    const all = [SHARED_ERRORS, ...Object.values(CONTEXT_ERRORS)].flatMap((t) => Object.entries(t));
    expect(Object.keys(ERROR_STATUS).length).toBe(all.length);
    for (const [code, status] of all) expect(ERROR_STATUS[code as keyof typeof ERROR_STATUS]).toBe(status);
    expect(new AppError('INSUFFICIENT_FUNDS', '余额不足').status).toBe(409);
  });

  it('codes are upper snake case and map to an error status', () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
    }
  });

  it('refuses a code declared by two tables', () => {
    expect(() => mergeErrorTables({ NOT_FOUND: 404 }, { mall: { NOT_FOUND: 410 } })).toThrow(/NOT_FOUND is declared by both shared and mall/);
    expect(() => mergeErrorTables({}, { mall: { GONE: 409 }, escrow: { GONE: 409 } })).toThrow(/both mall and escrow/);
  });
});
