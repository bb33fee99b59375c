#!/usr/bin/env node
// Starts Bangfu for the browser tests on a fresh database: a temporary embedded one by default,
// a new PostgreSQL database (dropped on exit) when DATABASE_URL is set. Demo data is seeded.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

const root = new URL('..', import.meta.url).pathname;
// Every journey signs in from this one address: a limit of 30 sign-ins per 15 minutes would end the run early.
// Each server keeps to its own Redis keys and channels: the journeys run in shards, each against its own
// server, database and demo data (whose ids are the same in every seeding), side by side on one Redis.
const run = randomBytes(4).toString('hex');
const env = { ...process.env, SEED_DEMO: 'true', DEV_TOOLS: 'true', LOGIN_LIMIT_IP: '1000', REDIS_PREFIX: `e2e${run}:` };
delete env.RATE_LIMIT_PREFIX;
delete env.ORIGIN;
let cleanup = async () => {};
// E2E_TEMPLATE (npm test sets it): demo data seeded once for every shard (scripts/e2e-template.ts), copied
// here instead of seeded again. The copy's server finds the seed complete and starts at once.
const template = process.env.E2E_TEMPLATE;

if (process.env.DATABASE_URL) {
  // The database is named after this process: another shard's server, still running, keeps its own.
  const name = `bangfu_e2e_${process.pid}_${run}`;
  const alive = (pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return e.code === 'EPERM';
    }
  };
  const admin = postgres(process.env.DATABASE_URL, { max: 1, onnotice: () => {} });
  // Playwright may stop this script before it cleans up: drop what earlier runs left behind (their process is gone).
  for (const { datname } of await admin`select datname from pg_database where datname like 'bangfu_e2e_%'`) {
    const pid = Number(/^bangfu_e2e_(\d+)_/.exec(datname)?.[1]);
    if (pid && alive(pid)) continue;
    await admin.unsafe(`drop database if exists ${datname} with (force)`).catch(() => {});
  }
  const fromTemplate = template && /^bangfu_e2e_[a-z0-9_]+$/.test(template) ? ` template ${template}` : '';
  await admin.unsafe(`create database ${name}${fromTemplate}`);
  await admin.end();
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = `/${name}`;
  env.DATABASE_URL = url.toString();
  cleanup = async () => {
    const a = postgres(process.env.DATABASE_URL, { max: 1, onnotice: () => {} });
    await a.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
    await a.end();
  };
} else {
  const dir = mkdtempSync(join(tmpdir(), 'bangfu-e2e-'));
  env.DATA_DIR = join(dir, 'data');
  if (template) cpSync(template, env.DATA_DIR, { recursive: true });
  cleanup = async () => rmSync(dir, { recursive: true, force: true });
}

const child = spawn(process.execPath, [join(root, 'scripts/start.mjs')], { cwd: root, env, stdio: 'inherit' });
let stopping = false;
const stop = async (code = 0) => {
  if (stopping) return;
  stopping = true;
  child.kill('SIGTERM');
  await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  await cleanup();
  process.exit(code);
};
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => void stop(0));
child.on('exit', (code) => {
  if (!stopping) void cleanup().then(() => process.exit(code ?? 1));
});
