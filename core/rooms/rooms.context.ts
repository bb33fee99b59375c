import { priceRounds, roomEvents, roundOffers, tenderRooms } from '../../db/schema';
import { defineContext } from '../platform/context';
import type { FileService } from '../files/files.service';
import type { MessageService } from '../notifications/messages.service';
import type { OrganisationService } from '../organisations/organisations.service';
import type { SettingsService } from '../settings/settings.service';
import { createRoomService } from './rooms.service';

interface RoomsNeeds {
  messages: MessageService;
  /** The legal names bidders are shown under. */
  organisations: Pick<OrganisationService, 'namesOf'>;
  settings: SettingsService;
  files: FileService;
}

/** The bidding rooms of competitive requirements: first offers, timed second rounds, the room's event log. */
export const roomsContext = defineContext({
  name: 'rooms',
  needs: ['notifications', 'organisations', 'settings', 'files'],
  tables: { tenderRooms, priceRounds, roundOffers, roomEvents },
  create: ({ db, clock, publisher, timer, jobs }, { messages, organisations, settings, files }: RoomsNeeds) => ({
    rooms: createRoomService({ db, clock, publisher, timer, jobs, messages, settings, files, organisations }),
  }),
  jobs: {
    // Round closes are jobs (rooms.round-close): the job worker's catch-up closes what a dead node left
    // open. This only re-arms the low-latency wake-ups after a restart or a Redis outage.
    resume: (s) => s.rooms.resumeTimers(),
  },
  settings: ['rooms.timing'],
});
