#!/usr/bin/env node
// The one test command (`npm test`): unit + integration tests (vitest), then the browser journeys
// (Playwright). Uses PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set, embedded PGlite otherwise.
// Ends with one line "N passed, N failed" over both runners.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
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
// `npm test -- --journeys`: the pages' build and the journeys only (no lint, type check or unit tests).
const journeysOnly = runJourneys && process.argv.includes('--journeys');
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

// The guard rails and the pages' build. Each of these is one Node process on one core, and CI has two:
// after the API document (which lint and the type check read), they run side by side, each one's
// output printed whole when it ends. CPU seconds measured 2026-12-07 (one core each): API document 13,
// lint 50, type check 117, pages build about 40: in order about 220 s; side by side the type check's
// 130 s (the build used to start inside the journeys' server, after the unit tests).
//  - lint: module boundaries (dependency-cruiser; violations recorded in
//    .dependency-cruiser-known-violations.json are listed and left to their owners, any new one fails
//    the run), no unused files, exports or dependencies (knip), formatting;
//  - types: svelte-check covers the pages and every TypeScript file of core, db, realtime and e2e
//    (`npm run check` without its step that writes the API document: `npm run openapi` just did);
//  - the pages' build for the journeys' server (scripts/start.mjs --build-only: only when stale; the
//    second CI run finds it fresh, as the build does not depend on DATABASE_URL).
// `svelte-kit sync` runs once before them instead of inside lint and check at the same time.
const binPath = `${join(root, 'node_modules/.bin')}:${process.env.PATH}`;
const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts;
const stepsOf = (script) =>
  script
    .split(' && ')
    .filter((step) => !step.startsWith('tsx scripts/openapi.ts') && step !== 'svelte-kit sync')
    .join(' && ');
/** Runs a command with its output held back and printed whole at its end (several run at once). */
const runHeld = (label, cmd, args, env = {}) =>
  new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    child.on('error', (e) => out.push(Buffer.from(`${cmd}: ${e.message}\n`)));
    child.on('close', (code) => {
      console.log(`\n$ ${cmd} ${args.join(' ')}   (${label}, ${Math.round((Date.now() - started) / 1000)} s)`);
      process.stdout.write(Buffer.concat(out));
      resolve(code ?? 1);
    });
  });

// The journeys' demo data, seeded once and copied for each shard's server (scripts/e2e-template.ts)
// instead of seeded by every server side by side. It starts now, beside the guard rails (the type check's
// single core leaves the other mostly idle) or the unit tests; the journeys wait for it. Should it fail,
// each server seeds its own, as before.
const template = runJourneys ? (process.env.DATABASE_URL ? `bangfu_e2e_${process.pid}_template` : join(reports, 'e2e-template')) : undefined;
const templateSeeded = template ? runHeld('journeys demo data', process.execPath, ['--import', 'tsx', join(root, 'scripts/e2e-template.ts'), template]) : 1;

let pagesBuilt = true;
if (!databaseOnly && !journeysOnly) {
  // The API document: written from the routes, typed client generated, Redocly lint (0 errors).
  if (run('npm', ['run', '--silent', 'openapi'])) {
    exit = 1;
    failed += 1;
    console.log('API document lint failed');
  }
  run('npx', ['svelte-kit', 'sync']);
  const [lint, types, build] = await Promise.all([
    runHeld('lint', 'sh', ['-c', stepsOf(scripts.lint)], { PATH: binPath }),
    runHeld('type check', 'sh', ['-c', stepsOf(scripts.check)], { PATH: binPath }),
    runJourneys ? runHeld('pages build', process.execPath, [join(root, 'scripts/start.mjs'), '--build-only']) : 0,
  ]);
  for (const [code, what] of [
    [lint, 'lint (module boundaries, unused code or formatting) failed'],
    [types, 'type check failed'],
    [build, 'the pages did not build (the journeys are not run)'],
  ]) {
    if (!code) continue;
    exit = 1;
    failed += 1;
    console.log(what);
  }
  pagesBuilt = !build;
}

/**
 * Test files whose run cannot depend on DATABASE_URL or REDIS_URL: the second CI run skips them (as it
 * skips lint and the type check), since they would prove the same thing again. Decided from the code,
 * not the file's name: a file is skipped only when neither it nor any project file it imports (its
 * relative and $core/$db/$realtime imports, followed to the end) reads DATABASE_URL, REDIS_URL or
 * process.env[…], spreads process.env, calls loadConfig() on the environment, imports child_process
 * (a child inherits the environment) or a database or Redis driver, or has an import this cannot
 * follow. Anything that opens a test platform or test database is thereby run in both modes, except files
 * marked `// @embedded-only`, which open only embedded databases of their own whatever the mode.
 */
function modeIndependentTests() {
  const marker =
    /process\.env(\.DATABASE_URL|\.REDIS_URL|\[)|\.\.\.\s*process\.env|loadConfig\(\s*(process\.env\s*)?\)|['"](node:)?child_process['"]|['"](postgres|ioredis|@electric-sql\/pglite|drizzle-orm\/(pglite|postgres-js))['"]/;
  const aliases = { $core: 'core', $db: 'db', $realtime: 'realtime' };
  const resolve = (from, spec) => {
    const alias = Object.keys(aliases).find((a) => spec === a || spec.startsWith(`${a}/`));
    const base = alias ? join(root, aliases[alias], spec.slice(alias.length)) : join(from, '..', spec);
    for (const f of [base, `${base}.ts`, base.replace(/\.js$/, '.ts'), join(base, 'index.ts')]) {
      if (existsSync(f) && statSync(f).isFile()) return f;
    }
    return null;
  };
  const seen = new Map(); // file -> { marked, imports }
  const read = (file) => {
    if (!seen.has(file)) {
      const src = readFileSync(file, 'utf8');
      const specs = [...src.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
      // Packages are not followed (the drivers are matched by the marker); project files are.
      const local = specs.filter((spec) => spec.startsWith('.') || spec.startsWith('$')).map((spec) => resolve(file, spec));
      seen.set(file, { marked: marker.test(src) || local.includes(null), imports: local.filter((f) => f && /\.(ts|mjs|js)$/.test(f)) });
    }
    return seen.get(file);
  };
  const dependent = (test) => {
    const todo = [test];
    const done = new Set(todo);
    while (todo.length) {
      const { marked, imports } = read(todo.pop());
      if (marked) return true;
      for (const f of imports) if (!done.has(f)) done.add(f) && todo.push(f);
    }
    return false;
  };
  // A file that declares `@embedded-only` starts its own embedded databases with an explicit configuration
  // whatever the mode (the first start of .data/, kill -9 mid-write): the second run would repeat it exactly.
  const embeddedOnly = (file) => /^\s*\/\/ @embedded-only\b/m.test(readFileSync(file, 'utf8'));
  return ['core', 'db', 'realtime', 'scripts']
    .flatMap((dir) => readdirSync(join(root, dir), { recursive: true }).map((f) => join(dir, f)))
    .filter((f) => f.endsWith('.test.ts') && !f.includes('node_modules'))
    .filter((f) => embeddedOnly(join(root, f)) || !dependent(join(root, f)))
    .sort();
}

if (journeysOnly) pagesBuilt = !run(process.execPath, [join(root, 'scripts/start.mjs'), '--build-only']);
else await unitTests();

async function unitTests() {
  const unitArgs = ['vitest', 'run', '--reporter=default', '--reporter=json'];
  if (databaseOnly) {
    const skipped = modeIndependentTests();
    console.log(`\nNot run again on PostgreSQL + Redis (their code reads no database setting): ${skipped.length} test files\n  ${skipped.join('\n  ')}`);
    for (const f of skipped) unitArgs.push('--exclude', f);
  }
  const unitJson = join(reports, 'vitest.json');
  let unitExit = run('npx', [...unitArgs, `--outputFile.json=${unitJson}`]);
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
}

// The journeys run in shards side by side, each with its own server, database and demo data
// (scripts/e2e-server.mjs) on its own port: E2E_SHARDS of them (default 2; 1 runs them in one go). The
// spec files are dealt out longest first to the shard with the least time so far (seconds of each file in
// scripts/slow-tests.json), as Playwright's own --shard splits by count and left one shard a minute longer.
// Each shard's output is printed whole when it ends.
if (runJourneys && pagesBuilt) {
  const shardCount = Math.max(1, Number(process.env.E2E_SHARDS ?? 2) || 1);
  const basePort = Number(process.env.E2E_PORT ?? 3987);
  const seconds = JSON.parse(readFileSync(join(root, 'scripts/slow-tests.json'), 'utf8')).journeys ?? {};
  const specs = readdirSync(join(root, 'e2e'))
    .filter((f) => f.endsWith('.spec.ts'))
    .map((f) => `e2e/${f}`)
    .sort((a, b) => (seconds[b] ?? 10) - (seconds[a] ?? 10) || a.localeCompare(b));
  const shards = Array.from({ length: Math.min(shardCount, specs.length) }, () => ({ files: [], seconds: 0 }));
  for (const f of specs) {
    const lightest = shards.reduce((min, s) => (s.seconds < min.seconds ? s : min));
    lightest.files.push(f);
    lightest.seconds += seconds[f] ?? 10;
  }
  const copied = (await templateSeeded) === 0 ? template : undefined;
  // The second CI run (PostgreSQL) shows the same pages as the first: their accessibility checks and
  // screenshots would prove nothing new, so it leaves them out (as it leaves out lint and the type check).
  const sameAsFirstRun = databaseOnly ? { AXE: process.env.AXE ?? 'off', SCREENSHOTS: process.env.SCREENSHOTS ?? 'off' } : {};
  const results = await Promise.all(
    shards.map(async ({ files }, i) => {
      const json = join(reports, `playwright-${i + 1}.json`);
      const env = {
        PLAYWRIGHT_JSON_OUTPUT_NAME: json,
        E2E_PORT: String(basePort + i),
        E2E_SHARD: String(i + 1),
        PATH: binPath,
        ...browserEnv,
        ...sameAsFirstRun,
        ...(copied ? { E2E_TEMPLATE: copied } : {}),
      };
      // Each file by its path from the root (Playwright matches arguments as patterns against file paths).
      const code = await runHeld(`journeys ${i + 1}/${shards.length}`, 'npx', ['playwright', 'test', '--reporter=list,json', ...files], env);
      return { code, report: readJson(json) };
    }),
  );
  if (process.env.DATABASE_URL) run(process.execPath, ['--import', 'tsx', join(root, 'scripts/e2e-template.ts'), '--drop', template]);
  else rmSync(template, { recursive: true, force: true });
  for (const { code, report } of results) {
    exit |= code;
    if (report) {
      passed += (report.stats?.expected ?? 0) + (report.stats?.flaky ?? 0);
      failed += report.stats?.unexpected ?? 0;
    } else failed += 1;
  }
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(exit || failed ? 1 : 0);
