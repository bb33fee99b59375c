import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDb } from './client';
import { migrateDb } from './migrate';
import { withDatabase } from './test/global-setup';

const url = process.env.DATABASE_URL;

describe.runIf(Boolean(url))('migrations on PostgreSQL', () => {
  it('three processes migrating an empty database at once apply each migration once', async () => {
    const name = `bangfu_mig_${randomBytes(4).toString('hex')}`;
    const admin = postgres(url!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const handles = await Promise.all([1, 2, 3].map(() => openDb({ databaseUrl: withDatabase(url!, name), max: 2 })));
    try {
      await Promise.all(handles.map((h) => migrateDb(h)));
      const check = postgres(withDatabase(url!, name), { max: 1, onnotice: () => {} });
      const applied = await check`select count(*)::int as n from drizzle.__drizzle_migrations`;
      const tables = await check`select count(*)::int as n from information_schema.tables where table_name = 'users'`;
      await check.end();
      expect(tables[0]!.n).toBe(1);
      expect(applied[0]!.n).toBeGreaterThanOrEqual(4);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});

describe.runIf(!url)('migrations on the embedded database', () => {
  it('apply to an empty PGlite and are idempotent', async () => {
    const h = await openDb({ dataDir: 'memory://' });
    await migrateDb(h);
    await migrateDb(h);
    const r = await h.db.execute('select count(*)::int as n from users' as never);
    expect(((r as unknown as { rows: { n: number }[] }).rows ?? (r as unknown as { n: number }[]))[0]!.n).toBe(0);
    await h.close();
  });
});
