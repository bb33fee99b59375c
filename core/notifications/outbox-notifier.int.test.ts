import { afterAll, beforeAll, expect, it } from 'vitest';
import { openTestDb } from '../../db/test/test-db';
import type { DbHandle } from '../../db/client';
import { ManualClock } from '../shared/clock';
import { createJobQueue } from '../jobs/jobs.service';
import { createOutboxNotifier, type ExternalNotifier } from './outbox-notifier';
import { createLogger } from '../shared/logger';

/** The provider's planned failures are logged by the worker; this test does not need to see them. */
const quiet = createLogger({ destination: { write: () => {} } });

let h: DbHandle;
beforeAll(async () => {
  h = await openTestDb();
});
afterAll(() => h?.close());

/** An outside SMS gateway that is down for its first two calls and drops repeats of one message id. */
function flakyGateway() {
  const delivered = new Map<string, string>();
  const ids: string[] = [];
  let calls = 0;
  const provider: ExternalNotifier = {
    async sendSms(m) {
      calls++;
      ids.push(m.id);
      if (calls <= 2) throw new Error('短信网关超时');
      if (!delivered.has(m.id)) delivered.set(m.id, `${m.to}:${m.text}`);
    },
    async sendEmail() {},
  };
  return { provider, delivered, ids, calls: () => calls };
}

it('an SMS sent in a transaction leaves only after commit, is retried with backoff while the provider fails, and arrives once', async () => {
  const clock = new ManualClock();
  const jobs = createJobQueue({ db: h.db, clock, log: quiet, backoffMs: 1000 });
  const gw = flakyGateway();
  const notifier = createOutboxNotifier(jobs, gw.provider, h.db);

  // Rolled back: nothing is ever sent.
  await h.db
    .transaction(async (tx) => {
      await notifier.sendSms({ to: '13800000000', text: '不会发出' }, tx);
      throw new Error('rollback');
    })
    .catch(() => {});
  await h.db.transaction((tx) => notifier.sendSms({ to: '13900000000', text: '验证码 123456' }, tx));
  expect(gw.calls()).toBe(0); // nothing leaves inside the transaction

  await jobs.runDue(); // provider down
  clock.advance(1000);
  await jobs.runDue(); // still down
  const { byStatus, failures } = await jobs.stats();
  expect(byStatus.pending).toBe(1);
  expect(failures.total).toBe(2);
  clock.advance(2000);
  await jobs.runDue();
  expect([...gw.delivered.values()]).toEqual(['13900000000:验证码 123456']);

  // Every attempt carried the same id: a provider that drops repeats by id sends it once whatever happens.
  expect(gw.ids).toHaveLength(3);
  expect(new Set(gw.ids).size).toBe(1);
  await jobs.stop();
});
