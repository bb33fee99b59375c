import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { openDb } from './client';
import { MIGRATIONS_FOLDER, migrateDb } from './migrate';
import { withDatabase } from './test/global-setup';
import { openEmptyPglite } from './test/test-db';

const url = process.env.DATABASE_URL;
const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };

describe('migrations on PostgreSQL', () => {
  if (!url) {
    it.skip('three processes migrating an empty database at once (needs DATABASE_URL: PGlite has one connection, so there is no race to test)', () => {});
    return;
  }

  it('three processes migrating an empty database at once all succeed and apply each migration once', async () => {
    const name = `bangfu_mig_${randomBytes(4).toString('hex')}`;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const handles = await Promise.all([1, 2, 3].map(() => openDb({ databaseUrl: withDatabase(url, name), max: 2 })));
    try {
      const results = await Promise.allSettled(handles.map((h) => migrateDb(h)));
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
      const check = postgres(withDatabase(url, name), { max: 1, onnotice: () => {} });
      try {
        const [applied] = await check`select count(*)::int as n from drizzle.__drizzle_migrations`;
        const [tables] = await check`select count(*)::int as n from information_schema.tables where table_schema = 'public' and table_name = 'users'`;
        expect(applied!.n).toBe(journal.entries.length);
        expect(tables!.n).toBe(1);
        // The schema works: a fourth start finds nothing to do.
        await migrateDb(handles[0]!);
        expect((await check`select count(*)::int as n from drizzle.__drizzle_migrations`)[0]!.n).toBe(journal.entries.length);
      } finally {
        await check.end();
      }
    } finally {
      await Promise.all(handles.map((h) => h.close()));
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});

describe.runIf(!url)('migrations on the embedded database', () => {
  it('apply to an empty PGlite once and are idempotent', async () => {
    const h = await openEmptyPglite();
    try {
      const tableCount = async () =>
        (
          (await h.db.execute(sql`select count(*)::int as n from information_schema.tables where table_schema = 'public'`)) as unknown as {
            rows: { n: number }[];
          }
        ).rows[0]!.n;
      expect(await tableCount()).toBe(0);
      await migrateDb(h);
      const tables = await tableCount();
      expect(tables).toBeGreaterThan(5);
      await migrateDb(h);
      expect(await tableCount()).toBe(tables);
      const applied = (await h.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`)) as unknown as { rows: { n: number }[] };
      expect(applied.rows[0]!.n).toBe(journal.entries.length);
    } finally {
      await h.close();
    }
  });
});
