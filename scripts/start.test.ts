import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, freshDatabase } from './bench/support';

const root = join(import.meta.dirname, '..');
// start.mjs runs `npm ci` when the lock file is newer than node_modules: never from a test.
const wouldInstall = statSync(join(root, 'package-lock.json')).mtimeMs > statSync(join(root, 'node_modules/.package-lock.json')).mtimeMs + 1000;

/** `npm start` as a container runs it (the realtime role needs no page build); collects its output. */
function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['scripts/start.mjs', '--role=realtime'], {
    cwd: root,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { text: '' };
  child.stdout!.on('data', (d: Buffer) => (out.text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out.text += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, out, exited };
}

async function untilReady(port: number, child: ChildProcess) {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error('the server stopped while starting');
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the server did not become ready');
}

describe.skipIf(wouldInstall)('npm start', () => {
  it('stops with a non-zero code and one message naming what production is missing', async () => {
    const { out, exited } = start({ NODE_ENV: 'production' });
    expect((await exited).code).toBe(78);
    for (const name of ['APP_SECRET', 'ORIGIN', 'SANDBOX_GATEWAYS']) expect(out.text).toMatch(new RegExp(`^\\s+${name}: `, 'm'));
  }, 60_000);

  // A server process needs a database another process can share: PostgreSQL (the scaled-mode run).
  describe.skipIf(!process.env.DATABASE_URL)('with a running server', () => {
    const databases: { drop(): Promise<void> }[] = [];
    afterAll(async () => {
      for (const d of databases) await d.drop();
    });
    const serverEnv = async () => {
      const db = await freshDatabase(process.env.DATABASE_URL!, 'bangfu_start');
      databases.push(db);
      const port = await freePort();
      return {
        port,
        env: {
          DATABASE_URL: db.url,
          PORT: String(port),
          HOST: '127.0.0.1',
          NODE_ENV: 'test',
          SEED_DEMO: 'false',
          APP_SECRET: randomBytes(16).toString('hex'),
          LOG_LEVEL: 'warn',
        },
      };
    };

    it('passes SIGTERM on to the server, which finishes its requests and stops in time: exit 0', async () => {
      const { port, env } = await serverEnv();
      const { child, out, exited } = start(env);
      await untilReady(port, child);
      // Requests in flight while the stop arrives.
      const load = Array.from({ length: 30 }, () =>
        fetch(`http://127.0.0.1:${port}/api/v1/auth/me`).then(
          (r) => r.status,
          () => 0,
        ),
      );
      const t0 = Date.now();
      child.kill('SIGTERM');
      const { code } = await exited;
      expect(code).toBe(0);
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(out.text).toContain('SIGTERM: shutting down');
      // Every request either got its answer or found the port already closed; none hung.
      for (const status of await Promise.all(load)) expect(status === 0 || status < 500).toBe(true);
    }, 180_000);

    it('exits non-zero when the server dies of something else (killed)', async () => {
      const { port, env } = await serverEnv();
      const { child, exited } = start(env);
      await untilReady(port, child);
      const server = spawnSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' })
        .stdout.trim()
        .split('\n')[0];
      expect(server).toMatch(/^\d+$/);
      process.kill(Number(server), 'SIGKILL');
      expect((await exited).code).toBe(137);
    }, 180_000);
  });
});
