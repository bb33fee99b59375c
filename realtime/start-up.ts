import { closeSync, existsSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, rmdirSync, statfsSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { lockDataDir } from '../db/client';
import { seedDemoData } from '../core/platform/seed';
import { createPlatform, type Platform } from '../core/platform/platform';
import type { Config } from '../core/shared/config';
import { isStorageFull } from '../core/shared/app-error';

/** A start-up refusal whose message says what to do; the server prints it and exits non-zero. */
export class StartUpError extends Error {}

const MB = 1024 * 1024;
/** Free space the embedded database needs to be created (with the demo data), and to open at all. */
export const FREE_SPACE_FIRST_START = 160 * MB;
export const FREE_SPACE_START = 16 * MB;

/**
 * Opens the platform the way a server starts: on the very first start of the embedded database the
 * data folder is built (migrated, and seeded when asked) in a temporary sibling and renamed into place
 * only when complete, so a start killed at any moment leaves either no folder or a whole one. Then the
 * demo seed is completed if an earlier start was interrupted (PostgreSQL, or SEED_DEMO turned on later).
 */
export async function startPlatform(config: Config, log: (line: string) => void = console.log): Promise<Platform> {
  const embedded = !config.DATABASE_URL && !config.DATA_DIR.startsWith('memory://');
  const dir = resolve(config.DATA_DIR);
  try {
    if (embedded) {
      checkFreeSpace(dir, dataDirComplete(dir) ? FREE_SPACE_START : FREE_SPACE_FIRST_START);
      await buildDataDirOnce(config, log);
    }
    const platform = await createPlatform(config);
    try {
      if (config.SEED_DEMO && (await seedDemoData(platform, log))) log('Demo data seeded (演示数据已生成).');
    } catch (e) {
      await platform.close().catch(() => {});
      throw e;
    }
    return platform;
  } catch (e) {
    if (e instanceof StartUpError) throw e;
    // The embedded database reports a full disk during its start only as a failed start.
    if (isStorageFull(e) || (embedded && freeBytes(dir) < FREE_SPACE_START)) {
      throw new StartUpError(
        `The disk holding ${embedded ? dir : 'the database'} is full (磁盘空间已满，数据库无法写入): free some space and start again. ` +
          'Nothing was lost: every write acknowledged before stays in the database.',
      );
    }
    throw e;
  }
}

/** Refuses to start on a nearly full disk instead of failing half-way through writing the database. */
export function checkFreeSpace(dir: string, needed: number, free = freeBytes(dir)) {
  if (free >= needed) return;
  throw new StartUpError(
    `Not enough disk space for the embedded database in ${dir} (磁盘空间不足): ${Math.floor(free / MB)} MB free, ` +
      `at least ${Math.ceil(needed / MB)} MB needed. Free some space, or set DATA_DIR to a folder on a larger disk.`,
  );
}

/** Bytes free for this user on the file system holding `dir` (or its nearest existing parent). */
function freeBytes(dir: string): number {
  let at = dir;
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  try {
    const st = statfsSync(at);
    return st.bavail * st.bsize;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** A folder an interrupted first start may have left in place (mount points cannot be renamed onto). */
const inPlaceMarker = (dir: string) => `${dir}.first-start`;

/** Whether the data folder holds a finished database. */
export function dataDirComplete(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).length > 0 && !existsSync(inPlaceMarker(dir));
}

async function buildDataDirOnce(config: Config, log: (line: string) => void) {
  const dir = resolve(config.DATA_DIR);
  if (dataDirComplete(dir)) return;
  // One builder at a time; the lock is the data folder's own, so a running server also keeps us out.
  const release = await lockDataDir(dir);
  try {
    if (dataDirComplete(dir)) return;
    let target = `${dir}.partial`;
    let inPlace = false;
    if (existsSync(dir)) {
      // An empty folder (or one an interrupted in-place build left): remove it so the rename can land,
      // unless it is a mount point (a container volume), which must be built in place.
      if (existsSync(inPlaceMarker(dir))) for (const e of readdirSync(dir)) rmSync(`${dir}/${e}`, { recursive: true, force: true });
      try {
        rmdirSync(dir);
        rmSync(inPlaceMarker(dir), { force: true });
      } catch {
        inPlace = true;
        target = dir;
        writeFileSync(inPlaceMarker(dir), `${process.pid}\n`);
        syncDir(dirname(dir));
      }
    }
    rmSync(`${dir}.partial`, { recursive: true, force: true });
    log(`First start: creating the embedded database in ${dir} (首次启动：正在创建嵌入式数据库)…`);
    const platform = await createPlatform({ ...config, DATA_DIR: target });
    try {
      if (config.SEED_DEMO) await seedDemoData(platform, log);
    } finally {
      await platform.close();
    }
    syncDir(target);
    if (inPlace) rmSync(inPlaceMarker(dir), { force: true });
    else renameSync(target, dir);
    syncDir(dirname(dir));
    if (config.SEED_DEMO) log('Demo data seeded (演示数据已生成).');
  } finally {
    await release();
  }
}

/** Makes a rename or a new file in a folder durable before carrying on. */
function syncDir(dir: string) {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // not supported on every file system; the rename itself is still atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
