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

// CI runs npm test twice on one checkout, embedded first, then on PostgreSQL (.ci/run, which stops
// at the first failure). The lint, the API document and the type check do not depend on the
// database, so the second run skips them instead of spending minutes proving the same thing again.
const databaseOnly = Boolean(process.env.CI && process.env.DATABASE_URL);

// Guard rails first, they take seconds: module boundaries (`npm run lint`, dependency-cruiser) and
// no unused files, exports or dependencies (knip). Violations recorded in
// .dependency-cruiser-known-violations.json are listed and left to their owners; any new one fails the run.
if (!databaseOnly && run('npm', ['run', '--silent', 'lint'])) {
  exit = 1;
  failed += 1;
  console.log('lint (module boundaries, unused code or formatting) failed');
}

// The API document: written from the routes, typed client generated, Redocly lint (0 errors).
if (!databaseOnly && run('npm', ['run', '--silent', 'openapi'])) {
  exit = 1;
  failed += 1;
  console.log('API document lint failed');
}

// Types first: svelte-check covers the pages and every TypeScript file of core, db, realtime and e2e.
// `npm run check` without its step that writes the API document and its types: `npm run openapi`
// just wrote them (writing them again costs another import of every route, about 10 s).
const checkSteps = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  .scripts.check.split(' && ')
  .filter((step) => !step.startsWith('tsx scripts/openapi.ts'));
const binPath = `${join(root, 'node_modules/.bin')}:${process.env.PATH}`;
if (!databaseOnly && run('sh', ['-c', checkSteps.join(' && ')], { PATH: binPath })) {
  exit = 1;
  failed += 1;
  console.log('type check failed');
}

const unitJson = join(reports, 'vitest.json');
let unitExit = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${unitJson}`]);
const unit = readJson(unitJson);
if (unit) {
  passed += unit.numPassedTests;
  failed += unit.numFailedTests;
  // A test process that dies (no failed assertion; the file's remaining tests never ran, "Worker exited
  // unexpectedly") is not a verdict on those tests: run such files once more, alone, and say so.
  const cut = unit.testResults.filter((f) => f.assertionResults.some((a) => a.status === 'pending'));
  if (unitExit && unit.numFailedTests === 0 && cut.length > 0 && cut.length <= 3) {
    console.log(`\nA test process exited while running ${cut.map((f) => f.name.replace(root, '')).join(', ')}: running it once more.`);
    const againJson = join(reports, 'vitest-again.json');
    unitExit = run('npx', ['vitest', 'run', ...cut.map((f) => f.name), '--reporter=default', '--reporter=json', `--outputFile.json=${againJson}`]);
    const again = readJson(againJson);
    passed -= cut.reduce((n, f) => n + f.assertionResults.filter((a) => a.status === 'passed').length, 0);
    if (again) {
      passed += again.numPassedTests;
      failed += again.numFailedTests;
    } else failed += 1;
  }
} else failed += 1;
exit |= unitExit;

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
