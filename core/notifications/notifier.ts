import type { DbOrTx } from '../../db/client';
import { notificationsRepo as repo } from './notifications.repo';

export interface SmsMessage {
  to: string;
  text: string;
}
export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
}

/** How the platform reaches people outside it. Real providers implement this; so does the sandbox. */
export interface Notifier {
  sendSms(msg: SmsMessage, tx?: DbOrTx): Promise<void>;
  /** Many SMS in the caller's transaction (generated accounts: thousands at once, one statement where the provider allows). */
  sendSmsMany(msgs: readonly SmsMessage[], tx: DbOrTx): Promise<void>;
  sendEmail(msg: EmailMessage, tx?: DbOrTx): Promise<void>;
}

/**
 * The built-in sandbox: "sends" by writing to the outbox table, shown on /dev/outbox.
 * Written in the caller's transaction so a code exists only if its message does. Never logs contents.
 */
export function createSandboxNotifier(db: DbOrTx): Notifier {
  return {
    async sendSms(msg, tx) {
      await repo.insertOutbox(tx ?? db, { channel: 'sms', recipient: msg.to, body: msg.text });
    },
    async sendSmsMany(msgs, tx) {
      if (msgs.length) await repo.insertSmsMany(tx, msgs);
    },
    async sendEmail(msg, tx) {
      await repo.insertOutbox(tx ?? db, { channel: 'email', recipient: msg.to, subject: msg.subject, body: msg.text });
    },
  };
}

export const listOutbox = (db: DbOrTx, opts: { recipient?: string; limit?: number } = {}) => repo.listOutbox(db, opts);
