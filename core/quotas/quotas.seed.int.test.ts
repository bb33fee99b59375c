import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeedSteps } from '../platform/seed-steps';
import { createTestPlatform } from '../testing/test-platform';
import type { Platform } from '../platform/platform';
import { DEMO_LOGINS, DEMO_PASSWORD } from '../accounts/accounts.seed';
import { PRESET_DEPARTMENTS, seedDemoQuotas } from './quotas.seed';

let p: Platform;
beforeAll(async () => {
  p = await createTestPlatform();
});
afterAll(() => p?.close());

const signIn = async (username: string, i: number) => {
  const session = await p.services.accounts.login({ identifier: username, password: DEMO_PASSWORD }, { ip: `203.0.113.${40 + i}` });
  return (await p.services.accounts.validateSessionToken(session.token))!.actor;
};

describe('demo quotas seed', () => {
  it('the preset departments sign in and see their trees with figures; a unit and a purchaser sign in; a second run adds nothing', async () => {
    await seedDemoQuotas(p, () => {}, createSeedSteps(p.db));
    await seedDemoQuotas(p, () => {}, createSeedSteps(p.db));
    for (const d of PRESET_DEPARTMENTS) expect(DEMO_LOGINS.map((l) => l.username)).toContain(d.username);

    const cq = await signIn('cqczj', 1);
    expect(cq.organisation).toMatchObject({ kind: 'budget_unit', fullName: '重庆市财政局' });
    const below = await p.services.budgetUnits.list(cq, { pageSize: 100 });
    expect(below.total).toBe(6 + 2 + 16);
    expect(below.items.filter((u) => u.reservedFen > 0).length).toBeGreaterThan(10);
    const mof = await signIn('caizhengbu', 2);
    expect((await p.services.budgetUnits.list(mof, {})).total).toBe(6);

    const unit = await signIn('qjjwh', 3);
    expect(await p.services.budgetUnits.myUnit(unit)).toMatchObject({ fullName: '綦江区教育委员会', superiorName: '綦江区财政局', accountState: 'active' });
    expect((await p.services.quotaPurchasers.list(unit, {})).total).toBe(3);
    const buyer = await signIn('13900000171', 4);
    expect(buyer.organisation).toMatchObject({ fullName: '綦江区教育委员会', role: 'buyer' });
  });
});
