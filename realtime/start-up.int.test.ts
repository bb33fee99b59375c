// @embedded-only: the first start of an embedded data folder, with an explicit configuration whatever DATABASE_URL says
// (npm test's PostgreSQL run skips it: it would repeat this run exactly).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { users } from '../db/schema';
import { lockDataDir } from '../db/client';
import { writeMigratedDataDir } from '../db/test/data-dir';
import { createPlatform } from '../core/platform/platform';
import { ConfigError, loadConfig } from '../core/shared/config';
import { checkFreeSpace, dataDirComplete, FREE_SPACE_FIRST_START, startPlatform, StartUpError } from './start-up';

const root = join(import.meta.dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'bangfu-start-up-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const configFor = (dataDir: string, env: Record<string, string> = {}) =>
  loadConfig({ NODE_ENV: 'test', APP_SECRET: 'test-secret-0123456789', SEED_DEMO: 'false', DATA_DIR: dataDir, ...env });
const quiet = () => {};

/**
 * A finished data folder at `dir` for tests about a later start, not the first one: written from the
 * migrated dump of the test setup (a real first start here costs many seconds per test), or built by
 * a real first start when there is no dump.
 */
async function finishedDataDir(dir: string) {
  if (await writeMigratedDataDir(dir)) return;
  await (await startPlatform(configFor(dir), quiet)).close();
}

/** Starts the platform in a child process (the way the server does) on `dataDir`; resolves with it running. */
function startChild(dataDir: string) {
  const script = `
    import { loadConfig } from './core/shared/config';
    import { startPlatform } from './realtime/start-up';
    const p = await startPlatform(loadConfig({ NODE_ENV: 'test', APP_SECRET: 'test-secret-0123456789', SEED_DEMO: 'false', DATA_DIR: ${JSON.stringify(dataDir)} }), (l) => console.log(l));
    console.log('STARTED');
    await p.close();
  `;
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('first start of the embedded database', () => {
  it('is atomic: a start killed at any moment leaves no folder or a whole one, and the next start works', async () => {
    const dir = join(scratch, 'killed');
    // Kill the first start at different moments after it begins creating the database.
    for (const delayMs of [50, 1500]) {
      const child = startChild(dir);
      let out = '';
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('First start')) setTimeout(() => child.kill('SIGKILL'), delayMs);
        });
        child.on('exit', () => resolve());
      });
      // Either the start had already finished (a whole folder) or there is no folder at all.
      if (existsSync(dir)) expect(dataDirComplete(dir)).toBe(true);
      if (existsSync(dir)) break;
    }
    const p = await startPlatform(configFor(dir), quiet);
    try {
      await p.ready();
      expect(await p.db.select().from(users)).toEqual([]);
    } finally {
      await p.close();
    }
    expect(readdirSync(scratch).filter((f) => f.startsWith('killed.'))).toEqual([]);
  }, 240_000);

  it('starts again from nothing when an in-place build was interrupted (its marker is still there)', async () => {
    const dir = join(scratch, 'mount');
    mkdirSync(dir);
    writeFileSync(`${dir}.first-start`, '1\n');
    writeFileSync(join(dir, 'PG_VERSION'), '17\n'); // what an interrupted in-place build leaves
    expect(dataDirComplete(dir)).toBe(false);
    const p = await startPlatform(configFor(dir), quiet);
    await p.close();
    expect(dataDirComplete(dir)).toBe(true);
  }, 120_000);
});

describe('the lock of the data folder', () => {
  it('takes over at once a lock whose process is gone (crash, kill -9)', async () => {
    const dir = join(scratch, 'stale');
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(`${dir}.lock`, JSON.stringify({ pid: dead, started: '1', host: (await import('node:os')).hostname() }));
    const t0 = Date.now();
    const release = await lockDataDir(dir);
    expect(Date.now() - t0).toBeLessThan(1_000);
    await release();
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it('takes over a lock folder of the earlier version once it is no longer refreshed', async () => {
    const dir = join(scratch, 'old-style');
    mkdirSync(`${dir}.lock`);
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${dir}.lock`, old, old);
    await (
      await lockDataDir(dir)
    )();
  });

  it('refuses while the holder runs, naming the folder', async () => {
    const dir = join(scratch, 'held');
    const holder = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `
      import { lockDataDir } from './db/client';
      await lockDataDir(${JSON.stringify(dir)});
      console.log('LOCKED');
      setInterval(() => {}, 1000);
    `,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve) => holder.stdout.on('data', (d: Buffer) => d.toString().includes('LOCKED') && resolve()));
      await expect(lockDataDir(dir)).rejects.toThrow(/嵌入式数据库已被另一个进程占用/);
      holder.kill('SIGKILL');
      await new Promise((r) => holder.once('exit', r));
      // The holder died without releasing: the next start does not wait for a timeout.
      await (
        await lockDataDir(dir)
      )();
    } finally {
      holder.kill('SIGKILL');
    }
  }, 30_000);
});

describe('production defaults at start', () => {
  const production = { NODE_ENV: 'production', APP_SECRET: 'a-production-secret-0123456789', ORIGIN: 'https://bangfu.example.cn', SANDBOX_GATEWAYS: 'true' };

  it('seeds no demo data (the published demo logins do not exist) unless SEED_DEMO=true', async () => {
    const config = loadConfig({ ...production, DATA_DIR: join(scratch, 'production') });
    expect(config.SEED_DEMO).toBe(false);
    // The first start seeds under the same SEED_DEMO guard; the first start itself is covered above.
    await finishedDataDir(config.DATA_DIR);
    const p = await startPlatform(config, quiet);
    try {
      expect(await p.db.select().from(users).where(eq(users.username, 'operator'))).toEqual([]);
    } finally {
      await p.close();
    }
  }, 120_000);

  it('the platform refuses to start without the sandbox gateways enabled, before touching the database', async () => {
    const dir = join(scratch, 'no-gateways');
    const config = { ...loadConfig({ ...production, DATA_DIR: dir }), sandboxGateways: false };
    await expect(createPlatform(config)).rejects.toThrow(ConfigError);
    await expect(createPlatform(config)).rejects.toThrow(/SANDBOX_GATEWAYS/);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('a full disk', () => {
  it('is refused at start with a clear message, before anything is written', () => {
    expect(() => checkFreeSpace('/srv/bangfu/.data', FREE_SPACE_FIRST_START, 3 * 1024 * 1024)).toThrow(StartUpError);
    expect(() => checkFreeSpace('/srv/bangfu/.data', FREE_SPACE_FIRST_START, 3 * 1024 * 1024)).toThrow(/磁盘空间不足.*3 MB free/);
    expect(() => checkFreeSpace('/srv/bangfu/.data', FREE_SPACE_FIRST_START, FREE_SPACE_FIRST_START)).not.toThrow();
  });

  // A real small file system when this machine lets us mount one (root); skipped elsewhere.
  const mountPoint = join(scratch, 'tiny');
  mkdirSync(mountPoint, { recursive: true });
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=200m', 'tmpfs', mountPoint]).status === 0;
  afterAll(() => void (mounted && spawnSync('umount', ['-l', mountPoint])));

  it.runIf(mounted)(
    'builds in place on a mount point (a container volume), which cannot be renamed onto',
    async () => {
      const volume = join(scratch, 'volume');
      mkdirSync(volume);
      expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=300m', 'tmpfs', volume]).status).toBe(0);
      try {
        const p = await startPlatform(configFor(volume), quiet);
        await p.close();
        expect(dataDirComplete(volume)).toBe(true);
        expect(existsSync(`${volume}.first-start`)).toBe(false);
        expect(readdirSync(volume)).toContain('PG_VERSION');
      } finally {
        spawnSync('umount', ['-l', volume]);
      }
    },
    120_000,
  );

  it.runIf(mounted)(
    'answers writes with 503 STORAGE_FULL while running, and refuses the next start clearly instead of spinning',
    async () => {
      const dir = join(mountPoint, 'data');
      await finishedDataDir(dir);
      const p = await startPlatform(configFor(dir), quiet);
      const { toErrorBody } = await import('../core/shared/app-error');
      try {
        // Fill the disk, leaving the database nothing to write to.
        spawnSync('sh', ['-c', `dd if=/dev/zero of=${mountPoint}/filler bs=1M count=400 2>/dev/null`]);
        let error: unknown;
        for (let i = 0; i < 20 && !error; i++) {
          await p.db
            .insert(users)
            .values(
              Array.from({ length: 200 }, (_, k) => ({
                username: `u${i}x${k}`,
                displayName: 'x'.repeat(2000),
                mobile: `139${String(i * 1000 + k).padStart(8, '0')}`,
                passwordHash: 'x'.repeat(2000),
              })),
            )
            .catch((e) => (error = e));
        }
        expect(toErrorBody(error)).toMatchObject({ status: 503, body: { code: 'STORAGE_FULL' } });
        expect((await p.db.select({ id: users.id }).from(users).limit(1)).length).toBeGreaterThanOrEqual(0);
      } finally {
        await p.close().catch(() => {});
      }
      const t0 = Date.now();
      await expect(startPlatform(configFor(dir), quiet)).rejects.toThrow(/磁盘空间/);
      expect(Date.now() - t0).toBeLessThan(15_000);
      rmSync(join(mountPoint, 'filler'));
      const again = await startPlatform(configFor(dir), quiet);
      await again.close();
    },
    90_000,
  );
});
