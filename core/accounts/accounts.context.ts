import { sessions, users, verificationCodes } from '../../db/schema';
import { defineContext } from '../platform/context';
import { seedBase } from './accounts.seed';
import { DAY, MINUTE } from '../shared/clock';
import type { MessageService } from '../notifications/messages.service';
import type { OrganisationService } from '../organisations/organisations.service';
import type { LegalService } from '../legal/legal.service';
import { createAccountService } from './accounts.service';

/** People: registration, sign-in, sessions, verification codes, passwords. */
export const accountsContext = defineContext({
  name: 'accounts',
  needs: ['notifications', 'organisations', 'legal'],
  tables: { users, sessions, verificationCodes },
  create: (
    { db, clock, notifier, rateLimiter, config },
    {
      messages,
      organisations,
      legal,
    }: {
      messages: MessageService;
      organisations: Pick<OrganisationService, 'findByUscc' | 'createWithOwner' | 'membershipsOf' | 'addMembers'>;
      legal: Pick<LegalService, 'currentVersions'>;
    },
  ) => ({
    accounts: createAccountService({
      db,
      clock,
      notifier,
      messages,
      organisations,
      legal,
      rateLimiter,
      secret: config.APP_SECRET,
      session: { idleMs: config.SESSION_IDLE_MINUTES * MINUTE, absoluteMs: config.SESSION_ABSOLUTE_DAYS * DAY },
      loginPerIp: config.LOGIN_LIMIT_IP,
    }),
  }),
  // The demo organisations and their owners' logins.
  seed: seedBase,
});
