/**
 * The journeys' demo data, seeded once per `npm test` run and copied for each shard's server
 * (scripts/e2e-server.mjs with E2E_TEMPLATE), instead of every shard seeding its own side by side
 * on the same two cores: the seed is the same in every run (fixed ids, times relative to now).
 *
 *   tsx scripts/e2e-template.ts <folder>          embedded: a data folder, built as a first start builds it
 *   tsx scripts/e2e-template.ts <database name>   with DATABASE_URL: a PostgreSQL database to copy with
 *                                                 CREATE DATABASE … TEMPLATE (REDIS_URL is not used: Redis
 *                                                 holds nothing the copies need; each server loads its own)
 *   tsx scripts/e2e-template.ts --drop <database name>
 */
import postgres from 'postgres';
import { loadConfig } from '../core/shared/config';
import { startPlatform } from '../realtime/start-up';

const drop = process.argv[2] === '--drop';
const target = process.argv[drop ? 3 : 2];
const adminUrl = process.env.DATABASE_URL;
if (!target || (adminUrl && !/^bangfu_e2e_[a-z0-9_]+$/.test(target))) {
  console.error('usage: tsx scripts/e2e-template.ts [--drop] <data folder | bangfu_e2e_… database name>');
  process.exit(2);
}

const started = Date.now();
const env: NodeJS.ProcessEnv = { ...process.env, SEED_DEMO: 'true', DEV_TOOLS: 'true', LOG_LEVEL: 'warn' };
delete env.REDIS_URL;
if (adminUrl) {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${target} with (force)`);
  if (!drop) await admin.unsafe(`create database ${target}`);
  await admin.end();
  if (drop) process.exit(0);
  const url = new URL(adminUrl);
  url.pathname = `/${target}`;
  env.DATABASE_URL = url.toString();
} else {
  env.DATA_DIR = target;
}

const platform = await startPlatform(loadConfig(env), () => {});
await platform.close();
console.log(`Demo data for the journeys seeded once in ${Math.round((Date.now() - started) / 1000)} s (${target}).`);
process.exit(0);
