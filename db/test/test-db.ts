import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { guardTransactions, openDb, type DbHandle } from '../client';
import { migrateDb } from '../migrate';
import * as schema from '../schema';
import { PGLITE_TEMPLATE_ENV, TEMPLATE_DB_ENV, withDatabase } from './global-setup';

/**
 * A fresh, migrated database for one test file: a copy of the template on PostgreSQL when
 * DATABASE_URL is set, an in-memory PGlite otherwise. `close()` drops it.
 */
export async function openTestDb(): Promise<DbHandle> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const loaded = await openPgliteFromDump('migrated.tar');
    if (loaded) return loaded;
    const h = await openDb({ dataDir: 'memory://' });
    await migrateDb(h);
    return h;
  }
  const template = process.env[TEMPLATE_DB_ENV];
  if (!template) throw new Error('no template database: run the tests through vitest (db/test/global-setup.ts makes it)');
  const name = `bangfu_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    // Copying a template fails while another session is connected to it: retry briefly.
    for (let i = 0; ; i++) {
      try {
        await admin.unsafe(`create database ${name} template ${template}`);
        break;
      } catch (e) {
        if (i > 20) throw e;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  const h = await openDb({ databaseUrl: withDatabase(url, name), max: 10 });
  return {
    ...h,
    async close() {
      await h.close();
      const a = postgres(url, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
      await a.end();
    },
  };
}

/** An in-memory PGlite with no tables yet (default mode; for migration tests). */
export async function openEmptyPglite(): Promise<DbHandle> {
  return (await openPgliteFromDump('empty.tar')) ?? openDb({ dataDir: 'memory://' });
}

/** Loads a data-dir dump written by the global setup; undefined when there is none (run outside vitest's setup). */
async function openPgliteFromDump(file: 'empty.tar' | 'migrated.tar'): Promise<DbHandle | undefined> {
  const dir = process.env[PGLITE_TEMPLATE_ENV];
  if (!dir || !existsSync(join(dir, file))) return undefined;
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const client = new PGlite({ loadDataDir: new Blob([readFileSync(join(dir, file))]) });
  await client.waitReady;
  guardTransactions(client);
  const db = drizzle(client, { schema, casing: 'snake_case' }) as unknown as DbHandle['db'];
  return {
    db,
    kind: 'pglite',
    ping: async () => void (await db.execute(sql`select 1`)),
    close: () => client.close(),
  };
}
