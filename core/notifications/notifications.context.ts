import { outbox, siteMessages } from '../../db/schema';
import { defineContext } from '../platform/context';
import { createMessageService } from './messages.service';

/** Site messages (站内信) and their unread counts; SMS and e-mail leave through the injected notifier (outbox). */
export const notificationsContext = defineContext({
  name: 'notifications',
  tables: { siteMessages, outbox },
  create: ({ db, publisher, jobs }) => ({ messages: createMessageService({ db, publisher, jobs }) }),
});
