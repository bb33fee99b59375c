import {
  voucherCampaigns,
  voucherCategories,
  voucherIssuances,
  voucherMerchants,
  voucherPaymentCodes,
  voucherRedemptions,
  vouchers,
  voucherSettlements,
  voucherTiers,
} from '../../db/schema';
import type { OrganisationService } from '../organisations/organisations.service';
import { defineContext } from '../platform/context';
import { createCampaignService } from './campaigns.service';
import { createGrabService, type GrabDeps } from './grabs.service';
import { createMallCoupons } from './mall-coupons';
import { createMerchantService } from './merchants.service';
import type { OrderService } from '../mall/orders.service';
import { createRedemptionService } from './redemptions.service';
import { seedDemoVouchers } from './vouchers.seed';
import type { FileService } from '../files/files.service';
import type { MessageService } from '../notifications/messages.service';
import type { Ledger } from '../wallet/ledger.service';
import type { RechargeService } from '../wallet/recharge.service';
import type { WithdrawalService } from '../wallet/withdrawal.service';

/** The services of other contexts the vouchers context uses. */
interface VoucherNeeds {
  ledger: Ledger;
  messages: MessageService;
  files: FileService;
  /** Bulk enrolment names merchants by their USCC. */
  organisations: Pick<OrganisationService, 'findByUscc'>;
  withdrawals: Pick<WithdrawalService, 'listCards'>;
  /** Payment notices of voucher orders (numbers starting VR) arrive through the wallet. */
  recharges: Pick<RechargeService, 'onNotices'>;
  /** The resident's individual profile (region) for campaigns limited to regions. */
  units: NonNullable<GrabDeps['individuals']>;
  /** The mall's coupon port: enrolled mall merchants accept coupons at checkout (mall-coupons.ts). */
  orders: Pick<OrderService, 'useCoupons'>;
}

const pick = <T extends object, K extends keyof T>(o: T, ...keys: K[]) => Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;

/**
 * Government consumption vouchers (政府消费券, manual 001): a bureau's funded campaign and timed
 * issuances, the first-come grab, merchants and their enrolment, payment-code redemption, settlement.
 */
export const vouchersContext = defineContext({
  name: 'vouchers',
  needs: ['wallet', 'notifications', 'organisations', 'files', 'mall'],
  tables: {
    voucherCampaigns,
    voucherCategories,
    voucherIssuances,
    voucherTiers,
    vouchers,
    voucherMerchants,
    voucherPaymentCodes,
    voucherRedemptions,
    voucherSettlements,
  },
  create: ({ db, clock, ...d }, n: VoucherNeeds) => {
    const voucherCampaigns = createCampaignService({ db, clock, jobs: d.jobs, ledger: n.ledger, publisher: d.publisher, log: d.log });
    n.orders.useCoupons(createMallCoupons({ clock, ledger: n.ledger, figuresChanged: (campaignId) => voucherCampaigns.publishFigures(campaignId) }));
    return {
      voucherCampaigns,
      voucherGrabs: createGrabService({
        db,
        clock,
        ...pick(d, 'rateLimiter', 'jobs', 'publisher', 'redis', 'redisPrefix', 'log'),
        ledger: n.ledger,
        individuals: n.units,
        limits: { perUser: d.config.VOUCHER_GRAB_LIMIT_USER, perIp: d.config.VOUCHER_GRAB_LIMIT_IP, windowSeconds: d.config.VOUCHER_GRAB_LIMIT_WINDOW },
      }),
      voucherMerchants: createMerchantService({ db, clock, messages: n.messages, files: n.files, organisations: n.organisations, withdrawals: n.withdrawals }),
      voucherRedemptions: createRedemptionService({
        db,
        clock,
        ...pick(d, 'gateway', 'publicOrigin', 'rateLimiter'),
        ...pick(n, 'ledger', 'messages', 'recharges'),
        figuresChanged: (campaignId) => voucherCampaigns.publishFigures(campaignId),
      }),
    };
  },
  fileAccess: {
    // Storefront photos: everyone once the merchant is approved; before, the merchant itself and the bureau.
    voucher_merchant: (s, actor, f) => s.voucherMerchants.canReadPhoto(actor, f.subjectId),
  },
  jobs: {
    // After a restart or a Redis outage: the grab gate is rebuilt from PostgreSQL, overdue coupons expire.
    resume: async (s) => {
      s.voucherGrabs.useStarter((id) => s.voucherCampaigns.ensureStarted(id));
      // Issuances whose time came while no node ran start now; the start jobs of later ones are put back.
      await s.voucherCampaigns.resumeTimers();
      await s.voucherGrabs.reconcileAll();
    },
  },
  seed: seedDemoVouchers,
});
