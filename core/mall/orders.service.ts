import { CORPORATE_BANKS } from '../wallet/payment-gateway';
import { createCartService } from './cart.service';
import { createCheckoutService } from './checkout.service';
import { createFulfilmentService } from './fulfilment.service';
import { createOrderCore, MALL_RECEIVING_ACCOUNT, type OrderDeps } from './orders.core';
import { createPaymentService } from './payments.service';
import { ordersRepo } from './orders.repo';
import type { DbOrTx } from '../../db/client';

export { type OrderDeps } from './orders.core';

/**
 * Cart, checkout and orders of the mall, as one service built from its four parts (cart, checkout,
 * payments, fulfilment) over shared pieces (orders.core.ts). Stock is reserved by a conditional update
 * when an order is created (never below zero, however many buyers race) and returned when an unpaid
 * order is cancelled or expires. Money: the gateway's payment lands in the mall's own clearing account
 * (mall_payment; tender escrow stays apart, so the escrow check sees only milestones); the merchant is
 * paid when the order completes (mall_settlement); refunds go back out (mall_refund). Every state
 * change is a conditional update checked by the order machine inside its transaction.
 */
export function createOrderService(deps: OrderDeps) {
  const core = createOrderCore(deps);
  return {
    corporateBanks: () => CORPORATE_BANKS.map((b) => ({ ...b })),
    receivingAccount: () => ({ ...MALL_RECEIVING_ACCOUNT }),
    /** The vouchers context registers how government vouchers apply to mall orders (MallCouponPort). */
    useCoupons: core.useCoupons,
    /** Completed orders an organisation bought, with their lines' origin codes (purchase-record monitoring reads them). */
    completedOrdersOfOrganisation: (q: DbOrTx, organisationId: string, orderIds?: readonly string[]) =>
      ordersRepo.completedOrdersOfOrganisation(q, organisationId, orderIds),
    ...createCartService(deps),
    ...createCheckoutService(deps, core),
    ...createPaymentService(deps, core),
    ...createFulfilmentService(deps, core),
  };
}

export type OrderService = ReturnType<typeof createOrderService>;
