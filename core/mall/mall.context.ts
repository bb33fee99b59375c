import {
  addresses as addressTable,
  cartItems,
  catalogVersions,
  individualProfiles,
  mallOrderEvents,
  mallOrderLines,
  mallOrders,
  mallPayments,
  productCategories,
  productImages,
  products,
  unitAttributeGroups,
  unitProfiles,
  visitorCarts,
  visitorCartItems,
  mallReviews,
} from '../../db/schema';
import { defineContext } from '../platform/context';
import { seedDemoMall, type MallSeedHost } from './mall.seed';
import { seedDemoReviews, type ReviewSeedHost } from './reviews.seed';
import type { AccountService } from '../accounts/accounts.service';
import type { FileService } from '../files/files.service';
import type { MessageService } from '../notifications/messages.service';
import type { OrganisationService } from '../organisations/organisations.service';
import type { RechargeService } from '../wallet/recharge.service';
import type { Ledger } from '../wallet/ledger.service';
import { createAddressService } from './addresses.service';
import { createCatalogService } from './catalog.service';
import { createOrderService } from './orders.service';
import { createStatisticsService } from './statistics.service';
import { createUnitService } from './units.service';
import { createReviewService } from './reviews.service';
import { createVisitorCartService } from './visitor-cart.service';

interface MallNeeds {
  ledger: Ledger;
  /** The gateway's notices for mall payments (payment numbers starting MP) arrive through the wallet. */
  recharges: Pick<RechargeService, 'onNotices'>;
  messages: MessageService;
  files: FileService;
  accounts: AccountService;
  organisations: Pick<OrganisationService, 'namesOf' | 'summariesOf'>;
}

/** The consumption-assistance mall (消费帮扶): units and their employees, merchants' catalog, cart, orders, statistics. */
export const mallContext = defineContext({
  name: 'mall',
  needs: ['wallet', 'notifications', 'files', 'accounts', 'organisations'],
  tables: {
    unitAttributeGroups,
    unitProfiles,
    individualProfiles,
    productCategories,
    products,
    productImages,
    catalogVersions,
    addresses: addressTable,
    cartItems,
    mallOrders,
    mallOrderLines,
    mallOrderEvents,
    mallPayments,
    visitorCarts,
    visitorCartItems,
    mallReviews,
  },
  create: ({ db, clock, gateway, jobs, publicOrigin, rateLimiter }, { ledger, recharges, messages, files, accounts, organisations }: MallNeeds) => {
    const orders = createOrderService({ db, clock, ledger, messages, gateway, files, jobs, organisations, accounts, publicOrigin });
    recharges.onNotices('MP', (tx, notice) => orders.handleNotice(tx, notice));
    return {
      orders,
      statistics: createStatisticsService({ db }),
      units: createUnitService({ db, clock, accounts, messages }),
      catalog: createCatalogService({ db, clock, files, messages }),
      addresses: createAddressService({ db, clock }),
      visitorCarts: createVisitorCartService({ db, clock, rateLimiter, organisations }),
      reviews: createReviewService({ db, clock, files, messages, accounts }),
    };
  },
  fileAccess: {
    // Transfer receipts: the paying unit (the uploader's organisation, checked by the file service) and operators.
    mall_receipt: (_s, actor) => Boolean(actor?.isOperator),
    product: (s, actor, f) => s.catalog.canReadImage(actor, f.subjectId),
    // Review photos are public with their review, as the product page shows them.
    mall_review: (s, _actor, f) => s.reviews.canReadPhoto(f.subjectId),
  },
  jobs: {
    // Unpaid orders expire, shipped ones are received and completed automatically: jobs (mall.order-*),
    // run by the job worker. At start: what is overdue, and jobs for orders from before.
    resume: (s) => s.orders.resumeTimers(),
    // Visitors' carts past their expiry go (their cookies expire with them).
    sweep: { everyMs: 3600_000, run: (s) => s.visitorCarts.sweepVisitorCarts() },
  },
  // The catalog and accounts, then reviews on completed orders (a file of its own).
  seed: async (p: MallSeedHost & ReviewSeedHost, log, steps) => {
    const mall = await seedDemoMall(p, log, steps);
    return (await seedDemoReviews(p, log, steps)) || mall;
  },
});
