import type { Db } from '../../db/client';
import type { SeedSteps } from '../platform/seed-steps';
import { DEMO_BUREAU, seedDemoCampaign, type CampaignSeedHost } from './campaigns.seed';
import { seedDemoMerchants, type MerchantSeedHost } from './merchants.seed';

/** What this seed uses of the platform: service types, never `Platform` (built from the context list). */
export type VoucherSeedHost = { db: Db; services: Record<string, unknown> } & CampaignSeedHost & MerchantSeedHost;

/** Demo data: the manual's campaign with its two issuances, the 21 townships' merchants. */
export async function seedDemoVouchers(p: VoucherSeedHost, log: (line: string) => void, steps: SeedSteps): Promise<void> {
  log('  seeding voucher campaigns');
  // The bureau and the manual's campaign, funded, issuances relative to now.
  const { campaignId } = await seedDemoCampaign(p, log, steps);
  // Merchants of the 21 townships are enrolled in `campaignId` here.
  await seedDemoMerchants(p, campaignId, DEMO_BUREAU.username, log, steps);
  void campaignId;
}
