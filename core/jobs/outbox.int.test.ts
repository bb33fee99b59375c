import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { and, count, eq } from 'drizzle-orm';
import { siteMessages } from '../../db/schema';
import { openTestDb } from '../../db/test/test-db';
import { writeMigratedDataDir } from '../../db/test/data-dir';
import type { DbHandle } from '../../db/client';
import { loadConfig } from '../shared/config';
import { createPlatform } from '../platform/platform';
import { OUTBOX_PREFIX } from './jobs.service';
import { SITE_MESSAGE_TOPIC } from '../notifications/messages.service';

const root = join(import.meta.dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'bangfu-outbox-'));
let pg: DbHandle | undefined;
afterAll(async () => {
  await pg?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * A process commits a site message with its outbox row and is killed (SIGKILL) before it delivers the
 * live push. The next process's worker delivers it; delivering it again (a retry after another crash)
 * publishes the same message with the same unread count and writes nothing new.
 */
it('a site message committed by a process killed before delivery is delivered after restart, and redelivery is harmless', async () => {
  if (process.env.DATABASE_URL) pg = await openTestDb();
  const env = {
    NODE_ENV: 'test',
    APP_SECRET: 'test-secret-0123456789',
    SEED_DEMO: 'false',
    ...(pg ? { DATABASE_URL: pg.url! } : { DATA_DIR: join(scratch, 'data') }),
  };
  // The crash between commit and delivery is what is tested, not the first start (start-up.int.test.ts
  // covers that): the embedded child opens a finished, migrated folder written from the setup's dump.
  if (!pg) await writeMigratedDataDir(join(scratch, 'data'));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `
      import { loadConfig } from './core/shared/config';
      import { createPlatform } from './core/platform/platform';
      import { registerUser } from './core/testing/factories';
      const p = await createPlatform(loadConfig(${JSON.stringify(env)}));
      const u = await registerUser(p);
      let pushed = 0;
      p.publisher.subscribe((room, event) => { if (event === 'message:new') pushed++; });
      const { message } = await p.db.transaction((tx) => p.services.messages.send({ userId: u.actor.userId, title: '崩溃前提交的消息', body: '提交后、推送前进程被杀' }, tx));
      process.stdout.write(JSON.stringify({ userId: u.actor.userId, messageId: message.id, pushed }) + '\\n');
      // Killed between commit and delivery: no push, no clean shutdown.
      process.kill(process.pid, 'SIGKILL');
    `,
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const signal = await new Promise((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
  expect(signal).toBe('SIGKILL');
  const { userId, messageId, pushed } = JSON.parse(out.trim().split('\n').pop()!) as { userId: string; messageId: string; pushed: number };
  expect(pushed).toBe(0);

  const p = await createPlatform(loadConfig(env));
  try {
    const kind = `${OUTBOX_PREFIX}${SITE_MESSAGE_TOPIC}`;
    expect(await p.jobs.find(kind, messageId)).toMatchObject({ status: 'pending', attempts: 0 });
    const delivered: { room: string | string[]; payload: { message: { id: string }; unreadCount: number } }[] = [];
    p.publisher.subscribe((room, event, payload) => {
      if (event === 'message:new') delivered.push({ room, payload: payload as (typeof delivered)[number]['payload'] });
    });
    await p.startJobs(); // the worker's catch-up delivers what the dead process owed
    await until(() => delivered.length >= 1);
    expect(delivered[0]!.room).toBe(`user:${userId}`);
    expect(delivered[0]!.payload.message.id).toBe(messageId);
    await until(async () => (await p.jobs.find(kind, messageId))?.status === 'done');

    // Redelivery (as after a crash between publishing and marking done): same message, same count, nothing new written.
    const before = await messagesOf(p.db, userId);
    await p.jobs.schedule(p.db, { kind, key: messageId, runAt: p.clock.now(), payload: { messageId } });
    await p.jobs.runDue();
    await until(() => delivered.length >= 2);
    expect(delivered[1]!.payload).toEqual(delivered[0]!.payload);
    expect(await messagesOf(p.db, userId)).toBe(before);
  } finally {
    await p.close();
  }
}, 180_000);

async function messagesOf(db: import('../../db/client').Db, userId: string) {
  const [r] = await db
    .select({ n: count() })
    .from(siteMessages)
    .where(and(eq(siteMessages.userId, userId)));
  return Number(r?.n ?? 0);
}

async function until(cond: () => boolean | Promise<boolean>, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
