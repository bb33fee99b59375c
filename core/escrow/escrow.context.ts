import { afterSalesCases, agreements, agreementVersions, caseEvents, milestoneEvents, milestones, reviews, terminations } from '../../db/schema';
import { defineContext } from '../platform/context';
import type { FileService } from '../files/files.service';
import type { MessageService } from '../notifications/messages.service';
import type { OrganisationService } from '../organisations/organisations.service';
import type { RoomService } from '../rooms/rooms.service';
import type { SettingsService } from '../settings/settings.service';
import type { RequirementService } from '../tenders/requirements.service';
import type { StorefrontService } from '../tenders/storefronts.service';
import type { Ledger } from '../wallet/ledger.service';
import { createEscrowService } from './escrow.service';
import { seedDemoMarket } from './escrow.seed';

interface EscrowNeeds {
  ledger: Ledger;
  messages: MessageService;
  settings: SettingsService;
  files: FileService;
  organisations: Pick<OrganisationService, 'partiesOf'>;
  requirements: RequirementService;
  storefronts: StorefrontService;
  /** The agreement's price is the one the selected provider won in the bidding room. */
  rooms: Pick<RoomService, 'winningPriceFen'>;
}

/** Agreements, milestones with escrowed money and their release, after-sales and termination, reviews. */
export const escrowContext = defineContext({
  name: 'escrow',
  needs: ['wallet', 'notifications', 'organisations', 'settings', 'files', 'tenders', 'rooms'],
  tables: { agreements, agreementVersions, milestones, milestoneEvents, afterSalesCases, caseEvents, terminations, reviews },
  create: ({ db, clock, jobs }, { ledger, messages, organisations, settings, files, requirements, storefronts, rooms }: EscrowNeeds) => ({
    escrow: createEscrowService({
      db,
      clock,
      ledger,
      messages,
      organisations,
      settings,
      files,
      jobs,
      requirements,
      storefronts,
      winningPriceFen: rooms.winningPriceFen,
    }),
  }),
  fileAccess: {
    milestone: (s, actor, f) => s.escrow.canReadAttachment(actor, 'milestone', f.subjectId),
    after_sales: (s, actor, f) => s.escrow.canReadAttachment(actor, 'after_sales', f.subjectId),
  },
  jobs: {
    // Reminders and automatic acceptance are jobs (escrow.milestone-*); the job worker's catch-up
    // replaces the sweep. At start: what is overdue, and jobs for milestones delivered before.
    resume: (s) => s.escrow.resumeTimers(),
  },
  settings: ['escrow.fee'],
  seed: seedDemoMarket,
});
