/** What the benchmarks share: a fresh PostgreSQL database of their own, a free local port, the platform as a process. */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';

/** Creates `<prefix>_<random>` next to the database of `baseUrl`; `drop()` removes it (also while connected). */
export async function freshDatabase(baseUrl: string, prefix: string) {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
      await admin.end();
    },
    /** Leaves the database in place (bench --keep) and closes the admin connection. */
    async keep() {
      dropped = true;
      await admin.end();
    },
  };
}

export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** A numeric command-line option (`--name 200`); anything but a positive number stops with a clear message. */
export function numberOption(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} needs a positive number (got ${JSON.stringify(process.argv[i + 1] ?? '')})`);
    process.exit(64);
  }
  return value;
}

/**
 * The whole platform (`scripts/start.mjs`, production settings, sandbox gateways, demo data) as a process of
 * its own on a fresh database next to `baseUrl`, on a free port. `ready()` waits for /readyz; `stop()` ends
 * the process and drops the database.
 */
export async function demoServer(baseUrl: string, prefix: string) {
  const fresh = await freshDatabase(baseUrl, prefix);
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: fresh.url,
      REDIS_URL: '',
      PORT: String(port),
      HOST: '127.0.0.1',
      SEED_DEMO: 'true',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      APP_SECRET: randomBytes(24).toString('hex'),
      ORIGIN: origin,
      SANDBOX_GATEWAYS: 'true',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return {
    origin,
    database: fresh.name,
    async ready(ms = 300_000) {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
        const ok = await fetch(`${origin}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) return;
        await new Promise((r) => setTimeout(r, 500));
      }
      throw new Error('server did not become ready');
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      await fresh.drop();
    },
  };
}
