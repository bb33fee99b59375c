import {
  consultationMessages,
  consultations,
  invitations,
  negotiationMessages,
  proposals,
  providerCases,
  requirementEvents,
  requirements,
  serviceCategories,
  serviceItems,
  storefronts,
} from '../../db/schema';
import { defineContext } from '../platform/context';
import { seedDemoTenders } from './tenders.seed';
import type { FileService } from '../files/files.service';
import type { MessageService } from '../notifications/messages.service';
import type { RoomService } from '../rooms/rooms.service';
import type { SettingsService } from '../settings/settings.service';
import type { Ledger } from '../wallet/ledger.service';
import { createConsultationService } from './consultations.service';
import { createInvitationService } from './invitations.service';
import { createProposalService } from './proposals.service';
import { createRequirementService } from './requirements.service';
import { createStorefrontService } from './storefronts.service';

interface TendersNeeds {
  ledger: Ledger;
  messages: MessageService;
  settings: SettingsService;
  files: FileService;
  /**
   * The bidding room decides a bidder's current price after its rounds (proposals' views ask it) and
   * delivers the live chat's read receipts.
   */
  rooms: Pick<RoomService, 'currentPricesFen' | 'enqueueChatReceipt'>;
}

/** Requirements (with their deposits), proposals, invitations and negotiations, pre-sales consultations, providers' storefronts. */
export const tendersContext = defineContext({
  name: 'tenders',
  needs: ['wallet', 'notifications', 'settings', 'files', 'rooms'],
  tables: {
    serviceCategories,
    requirements,
    requirementEvents,
    proposals,
    invitations,
    negotiationMessages,
    storefronts,
    serviceItems,
    providerCases,
    consultations,
    consultationMessages,
  },
  create: ({ db, clock, publisher, presence, jobs, rateLimiter }, { ledger, messages, settings, files, rooms }: TendersNeeds) => {
    const invitationService = createInvitationService({
      db,
      clock,
      messages,
      files,
      publisher,
      enqueueChatReceipt: (q, receipt) => rooms.enqueueChatReceipt(q, receipt),
      presence: () => presence.current,
    });
    return {
      requirements: createRequirementService({ db, clock, ledger, messages, settings, files, publisher }),
      proposals: createProposalService({ db, clock, files, publisher, currentPricesFen: (id) => rooms.currentPricesFen(id) }),
      invitations: invitationService,
      consultations: createConsultationService({
        db,
        clock,
        publisher,
        jobs,
        messages,
        rateLimiter,
        invitations: invitationService,
        presence: () => presence.current,
      }),
      storefronts: createStorefrontService({ db, clock, files }),
    };
  },
  fileAccess: {
    storefront: () => true,
    requirement: (s, actor, f) =>
      s.requirements.get(actor, f.subjectId).then(
        () => true,
        () => false,
      ),
    proposal: (s, actor, f) => s.proposals.canReadAttachment(actor, f.subjectId),
    negotiation: (s, actor, f) => s.invitations.canReadAttachment(actor, f.subjectId),
  },
  settings: ['tenders.deposit'],
  seed: seedDemoTenders,
});
