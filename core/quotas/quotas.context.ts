import { budgetUnits, budgetUnitTree, quotaPurchasers } from '../../db/schema';
import type { AccountService } from '../accounts/accounts.service';
import type { ImportService } from '../imports/imports.service';
import type { OrganisationService } from '../organisations/organisations.service';
import { defineContext } from '../platform/context';
import { createBudgetUnitService } from './budget-units.service';
import { createPurchaserService } from './purchasers.service';
import { seedDemoQuotas } from './quotas.seed';
import { createQuotaStatisticsService } from './statistics.service';
import type { StatisticsService as MallStatistics } from '../mall/statistics.service';

/** The services of other contexts the quotas context uses. */
interface QuotaNeeds {
  accounts: Pick<AccountService, 'generateAccounts' | 'reissueActivation' | 'activationStates' | 'existingMobiles' | 'usernamesOf'>;
  organisations: Pick<OrganisationService, 'upsertByUscc' | 'membershipsOf'>;
  /** The mall's purchases of units, for the statistics (统计报表). */
  statistics: Pick<MallStatistics, 'purchasesByUnit' | 'unitOrders'>;
  /** The spreadsheet-import engine: the budget-unit and purchaser sheets are its kinds. */
  imports: Pick<ImportService, 'register'>;
}

/**
 * Budget-unit quotas (预算单位预留份额, manual 003): preset finance and central departments, the budget units
 * under them (sheet import, tree, amounts and ratios, management accounts) and their purchasers.
 */
export const quotasContext = defineContext({
  name: 'quotas',
  needs: ['organisations', 'accounts', 'audit', 'notifications', 'mall', 'imports'],
  tables: { budgetUnits, budgetUnitTree, quotaPurchasers },
  create: ({ db, clock, jobs, publicOrigin }, n: QuotaNeeds) => {
    const budgetUnits = createBudgetUnitService({ db, clock, jobs, publicOrigin, accounts: n.accounts, organisations: n.organisations });
    const quotaPurchasers = createPurchaserService({ db, clock, publicOrigin, accounts: n.accounts });
    n.imports.register(budgetUnits.budgetUnitImportKind);
    n.imports.register(quotaPurchasers.purchaserImportKind);
    return { budgetUnits, quotaPurchasers, quotaStatistics: createQuotaStatisticsService({ db, clock, purchases: n.statistics }) };
  },
  seed: seedDemoQuotas,
});
