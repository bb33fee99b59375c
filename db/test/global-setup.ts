import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDb } from '../client';
import { migrateDb } from '../migrate';

/**
 * The template database of this run (PostgreSQL mode), set by the global setup for the workers. Its
 * name is the run's own: runs started at the same time on one server (several people, one machine)
 * would otherwise drop and rebuild each other's template while files are being copied from it.
 */
export const TEMPLATE_DB_ENV = 'BANGFU_TEST_TEMPLATE_DB';
/** Folder holding the PGlite data-dir dumps (default mode), set by the global setup for the workers. */
export const PGLITE_TEMPLATE_ENV = 'BANGFU_TEST_PGLITE_TEMPLATES';

/**
 * Boots PGlite once and dumps its data directory (empty and migrated): each test file loads a copy
 * instead of running initdb again, which costs seconds per file. With DATABASE_URL set, also builds
 * a migrated template database once per run; each test file then gets its own copy (CREATE DATABASE
 * … TEMPLATE). The dumps are made in that mode too: the start-up and crash tests run the embedded
 * database whatever the mode, and open a finished data folder from the dump instead of running a
 * real first start (many seconds each).
 */
export default async function setup() {
  const url = process.env.DATABASE_URL;
  if (!url) return setupPglite();
  const [cleanPglite, cleanTemplate] = await Promise.all([setupPglite(), setupTemplate(url)]);
  return async () => {
    cleanPglite();
    await cleanTemplate();
  };
}

async function setupTemplate(url: string) {
  const name = `bangfu_test_template_${randomBytes(4).toString('hex')}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const h = await openDb({ databaseUrl: withDatabase(url, name), max: 1 });
  await migrateDb(h);
  await h.close();
  process.env[TEMPLATE_DB_ENV] = name;
  return async () => {
    const a = postgres(url, { max: 1, onnotice: () => {} });
    await a.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
    await a.end();
  };
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
