#!/usr/bin/env node
// `npm start`: installs dependencies and builds the pages when needed, then runs the server
// (which migrates the database and seeds demo data on first start).
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: false });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules/.package-lock.json');
if (!existsSync(installed) || statSync(lock).mtimeMs > statSync(installed).mtimeMs + 1000) {
  console.log('Installing dependencies (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund']);
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
    run('npx', ['vite', 'build', '--logLevel', 'warn']);
  }
}

const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'realtime/main.ts'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: process.env,
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
