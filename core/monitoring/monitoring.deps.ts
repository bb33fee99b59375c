import type { AccountService } from '../accounts/accounts.service';
import type { FileService } from '../files/files.service';
import type { ImportService } from '../imports/imports.service';
import type { OrderService } from '../mall/orders.service';
import type { MessageService } from '../notifications/messages.service';
import type { OrganisationService } from '../organisations/organisations.service';
import type { PlatformDeps } from '../platform/context';

/** The services of other contexts the monitoring context uses (each monitoring service takes what it needs). */
export interface MonitoringNeeds {
  accounts: Pick<AccountService, 'generateAccounts' | 'existingMobiles' | 'usernamesOf' | 'createAccount'>;
  organisations: OrganisationService;
  files: FileService;
  messages: MessageService;
  /** Completed mall orders become records (one step, the order as evidence). */
  orders: OrderService;
  /** The spreadsheet-import engine: records are one of its kinds. */
  imports: Pick<ImportService, 'register'>;
}

/** What every monitoring service factory receives: the platform's infrastructure and the needed services. */
export type MonitoringDeps = Pick<PlatformDeps, 'db' | 'clock' | 'jobs' | 'notifier' | 'rateLimiter' | 'publisher' | 'publicOrigin'> & MonitoringNeeds;
