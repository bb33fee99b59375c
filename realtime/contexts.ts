import type { Socket } from 'socket.io';
import type { ContextName } from '../core/contexts';
import type { Platform } from '../core/platform/platform';
import type { ApiRouter } from './api/context';
import { registerAdminRoutes } from './api/admin.routes';
import { registerAuditRoutes } from './api/audit.routes';
import { registerAuthRoutes } from './api/auth.routes';
import { registerConsultationRoutes } from './api/consultations.routes';
import { registerEscrowRoutes } from './api/escrow.routes';
import { registerFileRoutes } from './api/files.routes';
import { registerImportRoutes } from './api/imports.routes';
import { registerInvitationRoutes } from './api/invitations.routes';
import { registerJobRoutes } from './api/jobs.routes';
import { registerLegalRoutes } from './api/legal.routes';
import { registerMallCatalogRoutes } from './api/mall-catalog.routes';
import { registerMallOrderRoutes } from './api/mall-orders.routes';
import { registerMessageRoutes } from './api/messages.routes';
import { registerMonitoringRoutes } from './api/monitoring.routes';
import { registerOrganisationRoutes } from './api/organisations.routes';
import { registerQuotaRoutes } from './api/quotas.routes';
import { registerQuotaStatisticsRoutes } from './api/quotas-statistics.routes';
import { registerRoomRoutes } from './api/rooms.routes';
import { registerStorefrontRoutes } from './api/storefronts.routes';
import { registerTenderRoutes } from './api/tenders.routes';
import { registerUnitMemberRoutes } from './api/unit-members.routes';
import { registerVoucherCampaignRoutes } from './api/vouchers-campaigns.routes';
import { registerVoucherGrabRoutes } from './api/vouchers-grabs.routes';
import { registerVoucherMerchantRoutes } from './api/vouchers-merchants.routes';
import { registerWalletRoutes } from './api/wallet.routes';
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from './events';
import type { BangfuIo } from './sockets/io';
import { registerConsultationHandlers } from './sockets/consultations.handlers';
import { registerImportHandlers } from './sockets/imports.handlers';
import { registerRoomHandlers } from './sockets/rooms.handlers';
import { registerVoucherHandlers } from './sockets/vouchers.handlers';

export type BangfuSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** What a context brings to the edge: its API routes and the socket events it answers. */
export interface EdgeContext {
  /** `register*Routes(api)` functions; their order does not matter (see api/route-order.ts). */
  routes: readonly ((api: ApiRouter) => void)[];
  /** Called for every connected socket. */
  sockets?: readonly ((io: BangfuIo, socket: BangfuSocket, platform: Platform) => void)[];
  /**
   * Routes under a crowd, by `METHOD /path` below /api/v1. They accept a session this node resolved in the
   * last HOT_SESSION_MS instead of reading it again (see accounts.validateSessionToken), and may answer a
   * small JSON body from memory before the session is read at all (`early`: an answer that does not depend
   * on who asks, e.g. a sold-out tier; a caller without any token still hears 401 first).
   */
  hotRoutes?: Readonly<Record<string, { early?: (platform: Platform, body: unknown) => Error | null }>>;
}

/**
 * The edge of every context in core/contexts.ts, by name: the API app, socket.io and the servers
 * loop over it. A context of the core list missing here fails to compile (`satisfies`).
 */
export const EDGE_CONTEXTS = {
  jobs: { routes: [registerJobRoutes] },
  legal: { routes: [registerLegalRoutes] },
  accounts: { routes: [registerAuthRoutes] },
  notifications: { routes: [registerMessageRoutes] },
  organisations: { routes: [registerOrganisationRoutes, registerAdminRoutes] },
  audit: { routes: [registerAuditRoutes] },
  wallet: { routes: [registerWalletRoutes] },
  files: { routes: [registerFileRoutes] },
  imports: { routes: [registerImportRoutes], sockets: [registerImportHandlers] },
  quotas: { routes: [registerQuotaRoutes, registerQuotaStatisticsRoutes] },
  monitoring: { routes: [registerMonitoringRoutes] },
  tenders: {
    routes: [registerInvitationRoutes, registerTenderRoutes, registerStorefrontRoutes, registerConsultationRoutes],
    sockets: [registerConsultationHandlers],
  },
  rooms: { routes: [registerRoomRoutes], sockets: [registerRoomHandlers] },
  mall: { routes: [registerMallOrderRoutes, registerMallCatalogRoutes, registerUnitMemberRoutes] },
  escrow: { routes: [registerEscrowRoutes] },
  vouchers: {
    routes: [registerVoucherCampaignRoutes, registerVoucherGrabRoutes, registerVoucherMerchantRoutes],
    sockets: [registerVoucherHandlers],
    hotRoutes: { 'POST /vouchers/grabs': { early: (platform, body) => platform.services.voucherGrabs.answerFromMemory(body) } },
  },
  // Operators' settings are published by the contexts owning each key (their admin routes live with them).
  settings: { routes: [] },
} as const satisfies Record<ContextName, EdgeContext>;

/** The edge entries in the order above: the order the API document lists operations in (routing does not depend on it). */
export type EdgeEntry = readonly [ContextName, EdgeContext];
export const EDGE_LIST: readonly EdgeEntry[] = Object.entries(EDGE_CONTEXTS) as [ContextName, EdgeContext][];
