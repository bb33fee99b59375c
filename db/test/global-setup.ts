import postgres from 'postgres';
import { openDb } from '../client';
import { migrateDb } from '../migrate';

export const TEMPLATE_DB = 'bangfu_test_template';

/**
 * With DATABASE_URL set, builds a migrated template database once per run; each test file then
 * gets its own copy (CREATE DATABASE … TEMPLATE). Without it, every file uses an in-memory PGlite.
 */
export default async function setup() {
  const url = process.env.DATABASE_URL;
  if (!url) return;
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

export function withDatabase(url: string, name: string) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
