import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import * as schema from './schema';

export type Schema = typeof schema;
/** The drizzle database both drivers (postgres.js and PGlite) satisfy. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export interface DbHandle {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** The PostgreSQL URL (postgres only): migrations open their own single connection. */
  url?: string;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DbOptions {
  databaseUrl?: string;
  /** Folder for the embedded database; `memory://` for a throw-away one. */
  dataDir?: string;
  max?: number;
}

/** Opens PostgreSQL when a URL is given, the embedded PGlite otherwise. */
export async function openDb(opts: DbOptions): Promise<DbHandle> {
  if (opts.databaseUrl) {
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const client = postgres(opts.databaseUrl, { max: opts.max ?? 10, onnotice: () => {} });
    const db = drizzle(client, { schema, casing: 'snake_case' }) as unknown as Db;
    return {
      db,
      kind: 'postgres',
      url: opts.databaseUrl,
      ping: async () => void (await db.execute(sql`select 1`)),
      close: () => client.end({ timeout: 5 }),
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const dataDir = opts.dataDir ?? 'memory://';
  let release: (() => Promise<void>) | undefined;
  let client: InstanceType<typeof PGlite>;
  if (dataDir.startsWith('memory://')) {
    client = new PGlite(dataDir);
  } else {
    const dir = resolve(dataDir);
    mkdirSync(dir, { recursive: true });
    release = await lockDataDir(dir);
    client = new PGlite(dir);
  }
  await client.waitReady;
  guardTransactions(client);
  const db = drizzle(client, { schema, casing: 'snake_case' }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    ping: async () => void (await client.query('select 1')),
    close: async () => {
      await client.close();
      await release?.();
    },
  };
}

/** PGlite corrupts a folder opened by two processes: refuse to start a second one. */
async function lockDataDir(dir: string) {
  const lockfile = await import('proper-lockfile');
  try {
    return await lockfile.lock(dir, { stale: 15_000, update: 5_000, realpath: false, lockfilePath: `${dir}.lock` });
  } catch {
    throw new Error(
      `The embedded database in ${dir} is in use by another Bangfu process (嵌入式数据库已被另一个进程占用). ` +
        'Stop it first, or set DATABASE_URL to use PostgreSQL.',
    );
  }
}

type PgliteLike = Pick<import('@electric-sql/pglite').PGlite, 'query' | 'exec' | 'transaction'>;

/**
 * PGlite has one connection: a query on the database handle while a transaction is open on it waits
 * for that transaction, which is waiting for the query — the process hangs silently. Turn that
 * mistake (using `db` where `tx` was meant) into an immediate error naming it. Work scheduled inside
 * a transaction that runs after it ends (pushes after commit) is not affected.
 */
export function guardTransactions(client: PgliteLike) {
  const open = new AsyncLocalStorage<{ open: boolean }>();
  const check = () => {
    if (open.getStore()?.open) {
      throw new Error('Database handle used inside its own open transaction: pass the transaction (tx) instead — the embedded database has one connection and would wait forever.');
    }
  };
  const query = client.query.bind(client);
  const exec = client.exec.bind(client);
  const transaction = client.transaction.bind(client);
  client.query = ((...args: Parameters<typeof query>) => (check(), query(...args))) as typeof query;
  client.exec = ((...args: Parameters<typeof exec>) => (check(), exec(...args))) as typeof exec;
  client.transaction = (async (fn: Parameters<typeof transaction>[0]) => {
    check();
    return transaction(async (tx) => {
      const state = { open: true };
      try {
        return await open.run(state, () => fn(tx));
      } finally {
        state.open = false;
      }
    });
  }) as typeof transaction;
}
