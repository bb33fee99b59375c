#!/usr/bin/env node
// `npm start`: installs dependencies and builds the pages when needed, then runs the server
// (which migrates the database and seeds demo data on first start).
// Containers stop `npm start` with SIGTERM: it is passed on to whatever runs (install, build, server),
// the server stops gracefully within STOP_TIMEOUT_MS, and the exit code says how it ended.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REALTIME_NODE_FLAGS } from './node-flags.mjs';

const root = new URL('..', import.meta.url).pathname;
/** How long the server gets to close its listeners, finish requests and close the database. */
const STOP_TIMEOUT_MS = Number(process.env.STOP_TIMEOUT_MS ?? 15_000);

let current;
let forwarded;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (!current) process.exit(128 + constants.signals[sig]);
    forwarded = sig;
    current.kill(sig);
    setTimeout(() => {
      console.error(`The server did not stop within ${STOP_TIMEOUT_MS} ms of ${sig}: killing it.`);
      current?.kill('SIGKILL');
    }, STOP_TIMEOUT_MS).unref();
  });
}

/** Runs a child with the signals forwarded; resolves with the exit code this script should use. */
function runChild(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    current = spawn(cmd, args, { cwd: root, stdio: 'inherit', env: process.env, ...opts });
    current.on('error', (e) => {
      console.error(`${cmd}: ${e.message}`);
      resolve(1);
    });
    current.on('exit', (code, signal) => {
      current = undefined;
      resolve(exitCode(code, signal, forwarded));
    });
  });
}

/** The child's own code; a death by a signal we did not pass on is a failure (128 + its number). */
function exitCode(code, signal, forwardedSignal) {
  if (code !== null) return code;
  if (signal && signal === forwardedSignal) return 0;
  return 128 + (constants.signals[signal] ?? 1);
}

const run = async (cmd, args) => {
  const code = await runChild(cmd, args);
  if (code !== 0 || forwarded) process.exit(code || 128 + constants.signals[forwarded]);
};

const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules/.package-lock.json');
// `--build-only` (npm test, while lint and the type check run from node_modules) never installs.
const buildOnly = process.argv.includes('--build-only');
if (!buildOnly && (!existsSync(installed) || statSync(lock).mtimeMs > statSync(installed).mtimeMs + 1000)) {
  console.log('Installing dependencies (npm ci)…');
  await run('npm', ['ci', '--no-audit', '--no-fund']);
}

/** Newest modification time under the folders the web build depends on. */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'build' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
const role = process.argv.find((a) => a.startsWith('--role='))?.slice(7) ?? process.env.ROLE ?? 'all';
const built = join(root, 'web/build/handler.js');
if (role !== 'realtime') {
  const sources = Math.max(newest(join(root, 'web')), newest(join(root, 'core')), newest(join(root, 'db')), statSync(join(root, 'svelte.config.js')).mtimeMs);
  if (!existsSync(built) || statSync(built).mtimeMs < sources) {
    console.log('Building the web pages (vite build)…');
    await run('npx', ['vite', 'build', '--logLevel', 'warn']);
  }
}
// `--build-only`: build when needed, then stop (npm test builds the pages while the type check runs).
if (buildOnly) process.exit(0);

process.exit(await runChild(process.execPath, [...REALTIME_NODE_FLAGS, '--import', 'tsx', join(root, 'realtime/main.ts'), ...process.argv.slice(2)]));
