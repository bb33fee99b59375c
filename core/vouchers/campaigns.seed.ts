import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { users } from '../../db/schema';
import { DEMO_LOGINS, DEMO_PASSWORD, insertDemoUser } from '../accounts/accounts.seed';
import { hashPassword } from '../accounts/passwords';
import type { OrganisationService } from '../organisations/organisations.service';
import type { SeedSteps } from '../platform/seed-steps';
import type { Actor } from '../shared/actor';
import { usccCheckCharacter } from '../shared/validators';
import type { Ledger } from '../wallet/ledger.service';
import type { CampaignService } from './campaigns.service';

/** What the campaigns seed uses of the platform. */
export interface CampaignSeedHost {
  db: Db;
  services: {
    voucherCampaigns: Pick<CampaignService, 'create' | 'addIssuance' | 'fund'>;
    organisations: Pick<OrganisationService, 'createWithOwner'>;
    ledger: Pick<Ledger, 'ensureWallet' | 'platformAccount' | 'transfer'>;
  };
}

/** The seeds' stand-in for the bureau's signed-in owner (no session: the seeds call services directly). */
export function demoBureauActor(userId: string, organisationId: string): Actor {
  const membership = {
    organisationId,
    kind: 'government' as const,
    fullName: DEMO_BUREAU.fullName,
    uscc: null,
    status: 'active' as const,
    role: 'owner' as const,
  };
  return { userId, username: DEMO_BUREAU.username, sessionId: 'demo-seed', memberships: [membership], organisation: membership, isOperator: false };
}

/** The manual's bureau, with its demo login. */
export const DEMO_BUREAU = {
  username: 'qijiang',
  mobile: '13900000090',
  displayName: '綦江区商务委员会 经办人',
  fullName: '重庆市綦江区商务委员会',
  uscc17: '11500110MB1602380',
  regionCode: '500110',
};
if (!DEMO_LOGINS.some((d) => d.username === DEMO_BUREAU.username))
  DEMO_LOGINS.push({ username: DEMO_BUREAU.username, organisation: DEMO_BUREAU.fullName, kind: 'government' as (typeof DEMO_LOGINS)[number]['kind'] });

/** The manual's issuance table: 12,700 coupons, ¥500,000. */
export const MANUAL_ISSUANCE_ROWS = [
  { categoryCode: 'general', tierNo: 1, thresholdFen: 10_000, discountFen: 3_000, count: 3000 },
  { categoryCode: 'general', tierNo: 2, thresholdFen: 15_000, discountFen: 5_000, count: 2200 },
  { categoryCode: 'dining', tierNo: 1, thresholdFen: 10_000, discountFen: 3_000, count: 5000 },
  { categoryCode: 'dining', tierNo: 2, thresholdFen: 20_000, discountFen: 6_000, count: 2500 },
];

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * The bureau (login `qijiang`) and the manual's campaign (¥1,000,000), funded, with its two issuances
 * relative to the first start: the first 10 minutes after it (so a newcomer can grab), the second a
 * day later; the coupons valid for 7 days. Returns the campaign id (later steps enrol merchants in it).
 */
export async function seedDemoCampaign(p: CampaignSeedHost, log: (line: string) => void, steps: SeedSteps): Promise<{ bureauId: string; campaignId: string }> {
  const bureau = await steps.step('vouchers.bureau', async () => {
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    return p.db.transaction(async (tx) => {
      const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.username, DEMO_BUREAU.username));
      if (existing) throw new Error(`demo user ${DEMO_BUREAU.username} exists without its seed step`);
      log('  seeding the voucher bureau (qijiang)');
      const user = await insertDemoUser(
        tx,
        { username: DEMO_BUREAU.username, mobile: DEMO_BUREAU.mobile, displayName: DEMO_BUREAU.displayName },
        passwordHash,
        {
          title: '欢迎使用政府消费券（演示数据）',
          body: `这是 ${DEMO_BUREAU.fullName} 的演示账号，可在"消费券活动"中管理活动、发券批次和资金。所有演示账号的密码都是 ${DEMO_PASSWORD}。`,
          link: '/gov/vouchers',
        },
      );
      const org = await p.services.organisations.createWithOwner(
        tx,
        {
          kind: 'government',
          fullName: DEMO_BUREAU.fullName,
          uscc: DEMO_BUREAU.uscc17 + usccCheckCharacter(DEMO_BUREAU.uscc17),
          regionCode: DEMO_BUREAU.regionCode,
        },
        user.id,
      );
      return { userId: user.id, organisationId: org.id };
    });
  });

  const campaignId = await steps.step('vouchers.campaign', async () => {
    log('  seeding the voucher campaign (火锅消费周, ¥1,000,000, two issuances)');
    const actor = demoBureauActor(bureau.userId, bureau.organisationId);
    const now = Date.now();
    const first = new Date(Math.ceil((now + 10 * MINUTE) / MINUTE) * MINUTE);
    const c = await p.services.voucherCampaigns.create(actor, {
      name: '首届中国綦江食品产业高质量发展大会暨金街美食音乐汇火锅消费周政府惠民消费券',
      documentNo: '綦商务发〔2023〕80号',
      budgetFen: 100_000_000,
      validUntil: new Date(first.getTime() + 7 * DAY).toISOString(),
    });
    await p.services.voucherCampaigns.addIssuance(actor, c.id, { startsAt: first.toISOString(), rows: MANUAL_ISSUANCE_ROWS });
    await p.services.voucherCampaigns.addIssuance(actor, c.id, { startsAt: new Date(first.getTime() + DAY).toISOString(), rows: MANUAL_ISSUANCE_ROWS });
    // The bureau's wallet receives the budget as an online recharge would, then funds the pool.
    const wallet = await p.services.ledger.ensureWallet(p.db, bureau.organisationId);
    await p.services.ledger.transfer(p.db, {
      debitAccountId: await p.services.ledger.platformAccount('gateway_clearing'),
      creditAccountId: wallet.availableId,
      amountFen: 100_000_000,
      kind: 'recharge_online',
      reference: '演示充值',
      idempotencyKey: `demo-voucher-bureau-recharge:${c.id}`,
    });
    await p.services.voucherCampaigns.fund(actor, c.id);
    return c.id;
  });
  return { bureauId: bureau.organisationId, campaignId };
}
