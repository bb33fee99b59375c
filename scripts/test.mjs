#!/usr/bin/env node
// The one test command (`npm test`): unit + integration tests (vitest), then the browser journeys
// (Playwright). Uses PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set, embedded PGlite otherwise.
// Ends with one line "N passed, N failed" over both runners.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBrowser } from './browser.mjs';

const root = new URL('..', import.meta.url).pathname;
const reports = mkdtempSync(join(tmpdir(), 'bangfu-test-'));
const run = (cmd, args, env = {}) => {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
};
const readJson = (f) => {
  try {
    return JSON.parse(readFileSync(f, 'utf8'));
  } catch {
    return undefined;
  }
};

const mode = process.env.DATABASE_URL ? `PostgreSQL${process.env.REDIS_URL ? ' + Redis' : ''}` : 'embedded PGlite, in-process';
console.log(`Bangfu tests — ${mode}`);
if (!existsSync(join(root, 'node_modules/.package-lock.json'))) run('npm', ['ci', '--no-audit', '--no-fund']);

const hasJourneys = existsSync(join(root, 'e2e')) && readdirSync(join(root, 'e2e')).some((f) => f.endsWith('.spec.ts'));
const runJourneys = hasJourneys && !process.argv.includes('--unit');
// The browser first: a machine that cannot get one learns it now, in one line, not after the unit tests.
let browserEnv = {};
if (runJourneys) {
  const browser = await ensureBrowser();
  if (browser === null) process.exit(1);
  if (browser) browserEnv = { CHROMIUM_PATH: browser };
}

let passed = 0;
let failed = 0;
let exit = 0;

// The API document: written from the routes, typed client generated, Redocly lint (0 errors).
if (run('npm', ['run', '--silent', 'openapi'])) {
  exit = 1;
  failed += 1;
  console.log('API document lint failed');
}

// Types first: svelte-check covers the pages and every TypeScript file of core, db, realtime and e2e.
if (run('npm', ['run', '--silent', 'check'])) {
  exit = 1;
  failed += 1;
  console.log('type check failed');
}

const unitJson = join(reports, 'vitest.json');
exit |= run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${unitJson}`]);
const unit = readJson(unitJson);
if (unit) {
  passed += unit.numPassedTests;
  failed += unit.numFailedTests;
} else failed += 1;

if (runJourneys) {
  const e2eJson = join(reports, 'playwright.json');
  exit |= run('npx', ['playwright', 'test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: e2eJson, ...browserEnv });
  const e2e = readJson(e2eJson);
  if (e2e) {
    passed += (e2e.stats?.expected ?? 0) + (e2e.stats?.flaky ?? 0);
    failed += e2e.stats?.unexpected ?? 0;
  } else failed += 1;
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(exit || failed ? 1 : 0);
