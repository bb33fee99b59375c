import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDb, type DbHandle } from '../client';
import { migrateDb } from '../migrate';
import { TEMPLATE_DB, withDatabase } from './global-setup';

/**
 * A fresh, migrated database for one test file: a copy of the template on PostgreSQL when
 * DATABASE_URL is set, an in-memory PGlite otherwise. `close()` drops it.
 */
export async function openTestDb(): Promise<DbHandle> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const h = await openDb({ dataDir: 'memory://' });
    await migrateDb(h);
    return h;
  }
  const name = `bangfu_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    // Copying a template fails while another session is connected to it: retry briefly.
    for (let i = 0; ; i++) {
      try {
        await admin.unsafe(`create database ${name} template ${TEMPLATE_DB}`);
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
