import { sessions, users, verificationCodes } from '../../db/schema';
import { defineContext } from '../platform/context';
import { seedBase } from './accounts.seed';
import { DAY, MINUTE } from '../shared/clock';
import type { MessageService } from '../notifications/messages.service';
import type { OrganisationService } from '../organisations/organisations.service';
import { createAccountService } from './accounts.service';

/** People: registration, sign-in, sessions, verification codes, passwords. */
export const accountsContext = defineContext({
  name: 'accounts',
  needs: ['notifications', 'organisations'],
  tables: { users, sessions, verificationCodes },
  create: (
    { db, clock, notifier, rateLimiter, config },
    {
      messages,
      organisations,
    }: { messages: MessageService; organisations: Pick<OrganisationService, 'findByUscc' | 'createWithOwner' | 'membershipsOf' | 'addMembers'> },
  ) => ({
    accounts: createAccountService({
      db,
      clock,
      notifier,
      messages,
      organisations,
      rateLimiter,
      secret: config.APP_SECRET,
      session: { idleMs: config.SESSION_IDLE_MINUTES * MINUTE, absoluteMs: config.SESSION_ABSOLUTE_DAYS * DAY },
      loginPerIp: config.LOGIN_LIMIT_IP,
    }),
  }),
  // The demo organisations and their owners' logins.
  seed: seedBase,
});
