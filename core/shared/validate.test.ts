import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RegisterInput } from '../accounts/accounts.schema';
import { RequirementInput } from '../tenders/tenders.schema';
import { fieldErrors, whenFieldsValid } from './validate';

const errorsOf = (schema: z.ZodType, input: unknown) => {
  const r = schema.safeParse(input);
  return r.success ? {} : fieldErrors(r.error);
};

describe('all field errors at once', () => {
  const Pair = z
    .object({ name: z.string().min(2, '请填写名称'), password: z.string(), confirm: z.string() })
    .refine((v) => v.password === v.confirm, { path: ['confirm'], message: '两次输入的密码不一致', ...whenFieldsValid('password', 'confirm') });

  it('a cross-field check answers in the same round as the other fields', () => {
    expect(errorsOf(Pair, { name: '', password: 'a', confirm: 'b' })).toEqual({ name: '请填写名称', confirm: '两次输入的密码不一致' });
  });

  it('and stays silent while a field it reads is itself wrong', () => {
    expect(errorsOf(Pair, { name: '', password: 5, confirm: 'b' })).toEqual({ name: '请填写名称', password: expect.any(String) });
  });

  it('nothing but an object reaches the check (null, a string, an array)', () => {
    for (const input of [null, undefined, 'x', [], 5]) expect(() => Pair.safeParse(input)).not.toThrow();
    expect(() => RegisterInput.safeParse(null)).not.toThrow();
    expect(() => RequirementInput.safeParse(null)).not.toThrow();
  });

  it('registration: a password mismatch comes with the empty fields', () => {
    const fields = errorsOf(RegisterInput, {
      accountType: 'enterprise',
      username: '',
      mobile: '',
      code: '',
      password: 'Bangfu2026',
      confirmPassword: 'Bangfu2027',
    });
    expect(Object.keys(fields)).toEqual(expect.arrayContaining(['username', 'mobile', 'code', 'organisationName', 'uscc', 'agreeTerms', 'confirmPassword']));
  });

  it('a requirement: the budget order comes with the empty title', () => {
    const fields = errorsOf(RequirementInput, { title: '', mode: 'invitation', budgetMinFen: 3_000_000, budgetMaxFen: 1_000_000 });
    expect(fields).toMatchObject({ title: expect.any(String), budgetMaxFen: '预算上限不能低于下限' });
  });
});
