import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeedSteps } from '../platform/seed-steps';
import { createTestPlatform } from '../testing/test-platform';
import type { Platform } from '../platform/platform';
import { DEMO_PASSWORD } from '../accounts/accounts.seed';
import { DEMO_BUREAU, seedDemoCampaign } from './campaigns.seed';
import { seedDemoMerchants } from './merchants.seed';

let p: Platform;
beforeAll(async () => {
  p = await createTestPlatform();
});
afterAll(() => p?.close());

describe('demo campaign seed', () => {
  it('the bureau signs in as qijiang and finds the manual’s campaign funded, first issuance 10 minutes ahead, second a day later; a second run adds nothing', async () => {
    const steps = createSeedSteps(p.db);
    const { campaignId } = await seedDemoCampaign(p, () => {}, steps);
    expect((await seedDemoCampaign(p, () => {}, createSeedSteps(p.db))).campaignId).toBe(campaignId);
    const session = await p.services.accounts.login({ identifier: 'qijiang', password: DEMO_PASSWORD }, { ip: '203.0.113.9' });
    const actor = (await p.services.accounts.validateSessionToken(session.token))!.actor;
    expect(actor.organisation).toMatchObject({ kind: 'government', fullName: '重庆市綦江区商务委员会' });
    const c = await p.services.voucherCampaigns.get(actor, campaignId);
    expect(c).toMatchObject({ status: 'funded', budgetFen: 100_000_000, unallocatedFen: 0 });
    const [a, b] = c.issuanceList;
    const ahead = Date.parse(a!.startsAt) - Date.now();
    expect(ahead).toBeGreaterThan(9 * 60_000);
    expect(ahead).toBeLessThan(11 * 60_000);
    expect(Date.parse(b!.startsAt) - Date.parse(a!.startsAt)).toBe(86_400_000);
    expect(Date.parse(c.validUntil) - Date.parse(a!.startsAt)).toBe(7 * 86_400_000);
    expect(a!.coupons).toBe(12_700);
    expect((await p.services.voucherCampaigns.identity(actor, campaignId)).ok).toBe(true);
    expect((await p.services.voucherCampaigns.list(actor)).total).toBe(1);
  });

  it("the 21 townships' merchants are enrolled and approved, each with its storefront photo; a second run adds nothing", async () => {
    const { campaignId } = await seedDemoCampaign(p, () => {}, createSeedSteps(p.db));
    await seedDemoMerchants(p, campaignId, DEMO_BUREAU.username, () => {}, createSeedSteps(p.db));
    await seedDemoMerchants(p, campaignId, DEMO_BUREAU.username, () => {}, createSeedSteps(p.db));
    const list = await p.services.voucherMerchants.listPublic(campaignId, { pageSize: 50 });
    const townships = list.items.filter((m) => !m.name.includes('花田'));
    expect(townships).toHaveLength(21);
    expect(townships.every((m) => m.photoUrl?.startsWith('/api/v1/files/'))).toBe(true);
    expect(new Set(townships.map((m) => m.photoUrl)).size).toBe(21);
  }, 60_000);
});
