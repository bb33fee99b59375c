import { createAfterSalesService } from './after-sales.service';
import { createAgreementService } from './agreements.service';
import { createEscrowKernel, type EscrowDeps } from './escrow.kernel';
import { createMilestoneService } from './milestones.service';
import { createReviewService } from './reviews.service';
import { createSettlement } from './settlement';

export type { EscrowDeps } from './escrow.kernel';

/**
 * After selection (manual 五–八), one service per aggregate behind one facade: agreements
 * (agreements.service), escrow per milestone with deliveries, acceptance and working-day
 * auto-acceptance (milestones.service), after-sales cases and early termination
 * (after-sales.service), reviews (reviews.service). The money movement they share is settlement.ts.
 *
 * Invariant: the escrow account holds exactly Σ (funded − released − refunded) over all milestones
 * (`check()`).
 */
export function createEscrowService(deps: EscrowDeps) {
  const kernel = createEscrowKernel(deps);
  const settlement = createSettlement(kernel);
  const agreements = createAgreementService(kernel);
  const milestones = createMilestoneService(kernel, settlement);
  const afterSales = createAfterSalesService(kernel, settlement);
  const reviews = createReviewService(kernel);
  return { ...agreements, ...milestones, ...afterSales, ...reviews, check: settlement.check };
}

export type EscrowService = ReturnType<typeof createEscrowService>;
export type { AgreementView } from './escrow.schema';
