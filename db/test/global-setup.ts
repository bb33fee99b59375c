import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { openDb } from '../client';
import { migrateDb } from '../migrate';

export const TEMPLATE_DB = 'bangfu_test_template';
/** Folder holding the PGlite data-dir dumps (default mode), set by the global setup for the workers. */
export const PGLITE_TEMPLATE_ENV = 'BANGFU_TEST_PGLITE_TEMPLATES';

/**
 * With DATABASE_URL set, builds a migrated template database once per run; each test file then
 * gets its own copy (CREATE DATABASE … TEMPLATE). Without it, boots PGlite once and dumps its data
 * directory (empty and migrated): each test file loads a copy instead of running initdb again,
 * which costs seconds per file.
 */
export default async function setup() {
  const url = process.env.DATABASE_URL;
  if (!url) return setupPglite();
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${TEMPLATE_DB} with (force)`);
    await admin.unsafe(`create database ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  const templateUrl = withDatabase(url, TEMPLATE_DB);
  const h = await openDb({ databaseUrl: templateUrl, max: 1 });
  await migrateDb(h);
  await h.close();
}

async function setupPglite() {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const dir = mkdtempSync(join(tmpdir(), 'bangfu-pglite-'));
  const client = new PGlite('memory://');
  await client.waitReady;
  const dump = async (name: string) => writeFileSync(join(dir, name), Buffer.from(await (await client.dumpDataDir('none')).arrayBuffer()));
  await dump('empty.tar');
  await migrateDb({ db: drizzle(client) as never, kind: 'pglite', ping: async () => {}, close: async () => {} });
  await dump('migrated.tar');
  await client.close();
  process.env[PGLITE_TEMPLATE_ENV] = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}

export function withDatabase(url: string, name: string) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
