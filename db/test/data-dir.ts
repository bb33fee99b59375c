import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGLITE_TEMPLATE_ENV } from './global-setup';

/**
 * Writes a finished, migrated embedded data folder at `dir` from the dump the global setup made,
 * for tests about what happens after the first start (locks, crashes, a full disk): building one
 * with a real first start costs many seconds. The global setup makes the dump in both modes. Returns
 * false when there is none (outside vitest's setup); the caller then does a real first start.
 */
export async function writeMigratedDataDir(dir: string): Promise<boolean> {
  const templates = process.env[PGLITE_TEMPLATE_ENV];
  const dump = templates && join(templates, 'migrated.tar');
  if (!dump || !existsSync(dump)) return false;
  const { PGlite } = await import('@electric-sql/pglite');
  const client = new PGlite(dir, { loadDataDir: new Blob([readFileSync(dump)]) });
  await client.waitReady;
  await client.close();
  return true;
}
