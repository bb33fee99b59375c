import {
  bankCards,
  ledgerAccounts,
  ledgerBalances,
  ledgerTransfers,
  paymentNotifications,
  rechargeOrders,
  securityPasswords,
  withdrawals,
} from '../../db/schema';
import { defineContext } from '../platform/context';
import type { MessageService } from '../notifications/messages.service';
import type { AccountService } from '../accounts/accounts.service';
import type { OrganisationService } from '../organisations/organisations.service';
import { createLedger } from './ledger.service';
import { createSandboxPayoutGateway } from './payout-gateway';
import { createRechargeService } from './recharge.service';
import { createStatementService } from './statement.service';
import { createWithdrawalService } from './withdrawal.service';

/**
 * Money: the double-entry ledger every fen moves through, recharges, withdrawals and statements.
 * Other contexts hold a `ledger` and move money inside their own transactions; payment notices of
 * other order kinds are routed to their context with `recharges.onNotices(prefix, …)`.
 */
export const walletContext = defineContext({
  name: 'wallet',
  needs: ['notifications', 'accounts', 'organisations'],
  tables: { ledgerAccounts, ledgerBalances, ledgerTransfers, rechargeOrders, paymentNotifications, bankCards, securityPasswords, withdrawals },
  async create(
    { db, clock, notifier, gateway, publicOrigin, log, jobs },
    { messages, accounts, organisations }: { messages: MessageService; accounts: AccountService; organisations: OrganisationService },
  ) {
    const ledger = createLedger({ db });
    await ledger.ensurePlatformAccounts();
    return {
      ledger,
      withdrawals: createWithdrawalService({ db, clock, ledger, messages, payouts: createSandboxPayoutGateway(notifier), accounts, organisations }),
      statements: createStatementService({ db, ledger }),
      recharges: createRechargeService({ db, clock, ledger, messages, gateway, publicOrigin, log, organisations, jobs }),
    };
  },
  jobs: {
    // Each online recharge's expiry is a job (wallet.recharge-expire); at start, also expire orders
    // created before their expiry was a job.
    resume: (s) => s.recharges.expireStale(),
  },
});
