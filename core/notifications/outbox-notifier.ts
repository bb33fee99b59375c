import type { DbOrTx } from '../../db/client';
import type { JobQueue } from '../jobs/jobs.service';
import type { EmailMessage, Notifier, SmsMessage } from './notifier';

/** A provider outside the platform (an SMS gateway, a mail relay). `id` is stable across retries. */
export interface ExternalNotifier {
  sendSms(msg: SmsMessage & { id: string }): Promise<void>;
  sendEmail(msg: EmailMessage & { id: string }): Promise<void>;
}

const SMS_TOPIC = 'sms';
const EMAIL_TOPIC = 'email';

/**
 * SMS and e-mail through an outside provider, delivered at least once after commit: `sendSms(msg, tx)`
 * writes an `outbox:sms` row in the caller's transaction (so a code is sent exactly when it exists) and the
 * job worker calls the provider, retrying with backoff; a failure for good is visible at /admin/jobs. The
 * provider gets the row id as `id` to drop a repeat (most gateways take a client message id).
 *
 * The sandbox notifier does not need this: its "delivery" is a row written in the same transaction.
 */
export function createOutboxNotifier(jobs: JobQueue, provider: ExternalNotifier, db: DbOrTx): Notifier {
  jobs.on(`outbox:${SMS_TOPIC}`, (job) => provider.sendSms({ ...(job.payload as SmsMessage), id: job.id }));
  jobs.on(`outbox:${EMAIL_TOPIC}`, (job) => provider.sendEmail({ ...(job.payload as EmailMessage), id: job.id }));
  return {
    async sendSms(msg, tx) {
      const row = await jobs.enqueue(tx ?? db, SMS_TOPIC, msg);
      // Without a transaction the row is already committed: send now instead of at the next poll.
      if (!tx) await jobs.runNow(row.id);
    },
    async sendSmsMany(msgs, tx) {
      for (const msg of msgs) await jobs.enqueue(tx, SMS_TOPIC, msg);
    },
    async sendEmail(msg, tx) {
      const row = await jobs.enqueue(tx ?? db, EMAIL_TOPIC, msg);
      if (!tx) await jobs.runNow(row.id);
    },
  };
}
