// @embedded-only: kill -9 of a server on an embedded data folder, with an explicit configuration whatever DATABASE_URL says
// (npm test's PostgreSQL run skips it: it would repeat this run exactly).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../core/shared/config';
import { writeMigratedDataDir } from '../db/test/data-dir';
import { startPlatform } from './start-up';

const root = join(import.meta.dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'bangfu-crash-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const env = { NODE_ENV: 'test', APP_SECRET: 'test-secret-0123456789', SEED_DEMO: 'false', DATA_DIR: join(scratch, 'data') };

/**
 * A server writing as fast as it can, killed with SIGKILL mid-write, restarted at once: the restart
 * is not held up by the dead process's lock, and every write it acknowledged is there.
 */
it('kill -9 while writing, restart at once: every acknowledged write is found', async () => {
  const acknowledged: number[] = [];
  // The crash is what is tested, not the first start (start-up.int.test.ts covers that): the first
  // child opens a finished folder instead of spending most of its time creating the database.
  await writeMigratedDataDir(env.DATA_DIR);
  for (let cycle = 0; cycle < 2; cycle++) {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `
      import { sql } from 'drizzle-orm';
      import { loadConfig } from './core/shared/config';
      import { startPlatform } from './realtime/start-up';
      const p = await startPlatform(loadConfig(${JSON.stringify(env)}), () => {});
      await p.db.execute(sql\`create table if not exists crash_writes (n integer primary key)\`);
      for (let n = ${cycle} * 1000000; ; n++) {
        await p.db.execute(sql\`insert into crash_writes values (\${n})\`);
        process.stdout.write(n + '\\n');
      }
    `,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let buffered = '';
    let writes = 0;
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const l of lines) acknowledged.push(Number(l));
        writes += lines.length;
        if (writes >= 200 && child.exitCode === null && !child.killed) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
    });
  }
  const t0 = Date.now();
  const p = await startPlatform(loadConfig(env), () => {});
  try {
    const rows = (await p.db.execute(sql`select n from crash_writes`)) as unknown as { rows?: { n: number }[] } & { n: number }[];
    const found = new Set((rows.rows ?? rows).map((r) => Number(r.n)));
    expect(acknowledged.length).toBeGreaterThanOrEqual(400);
    expect(acknowledged.filter((n) => !found.has(n))).toEqual([]);
  } finally {
    await p.close();
  }
  expect(Date.now() - t0).toBeLessThan(60_000);
}, 420_000);
