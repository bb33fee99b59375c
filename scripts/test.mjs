#!/usr/bin/env node
// The one test command (`npm test`): unit + integration tests (vitest), then the browser journeys
// (Playwright). Uses PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set, embedded PGlite otherwise.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const run = (cmd, args, env = {}) => {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
};

const mode = process.env.DATABASE_URL ? `PostgreSQL${process.env.REDIS_URL ? ' + Redis' : ''}` : 'embedded PGlite, in-process';
console.log(`Bangfu tests — ${mode}`);
if (!existsSync(`${root}node_modules/.package-lock.json`)) run('npm', ['ci', '--no-audit', '--no-fund']);

let failed = 0;
failed += run('npx', ['vitest', 'run']) ? 1 : 0;
const hasJourneys = existsSync(`${root}e2e`) && readdirSync(`${root}e2e`).some((f) => f.endsWith('.spec.ts'));
if (hasJourneys && !process.argv.includes('--unit')) failed += run('npx', ['playwright', 'test']) ? 1 : 0;
process.exit(failed ? 1 : 0);
