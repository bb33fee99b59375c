import { accountsContext } from './accounts/accounts.context';
import { auditContext } from './audit/audit.context';
import { escrowContext } from './escrow/escrow.context';
import { filesContext } from './files/files.context';
import { importsContext } from './imports/imports.context';
import { jobsContext } from './jobs/jobs.context';
import { legalContext } from './legal/legal.context';
import { mallContext } from './mall/mall.context';
import { monitoringContext } from './monitoring/monitoring.context';
import { notificationsContext } from './notifications/notifications.context';
import { organisationsContext } from './organisations/organisations.context';
import type { CheckOrder, NamesOfList, ServicesOfList } from './platform/context';
import { quotasContext } from './quotas/quotas.context';
import { roomsContext } from './rooms/rooms.context';
import { settingsContext } from './settings/settings.context';
import { tendersContext } from './tenders/tenders.context';
import { vouchersContext } from './vouchers/vouchers.context';
import { walletContext } from './wallet/wallet.context';

/**
 * Every bounded context of the product, in build order: a context comes after the contexts it needs.
 * The platform builds services, file access, timed work and the demo seed from this list; the edge
 * (realtime/contexts.ts) must name each of them. Adding a context: one line here (docs/contexts.md).
 */
export const CONTEXTS = [
  jobsContext,
  notificationsContext,
  organisationsContext,
  legalContext,
  accountsContext,
  auditContext,
  settingsContext,
  filesContext,
  importsContext,
  walletContext,
  roomsContext,
  tendersContext,
  escrowContext,
  mallContext,
  vouchersContext,
  quotasContext,
  monitoringContext,
] as const;

export type ContextList = typeof CONTEXTS;
export type ContextName = NamesOfList<ContextList>;
/** `platform.services`: every context's services in one flat record. */
export type ContextServices = ServicesOfList<ContextList>;

// A context listed before one it needs fails to compile here (and createPlatform checks again at start).
const ordered: CheckOrder<ContextList> = true;
void ordered;
