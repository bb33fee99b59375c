import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import * as schema from './schema';

export type Schema = typeof schema;
/** The drizzle database both drivers (postgres.js and PGlite) satisfy. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

/** The rows of `db.execute(...)`: postgres.js answers an array, PGlite `{ rows }`. */
export const rowsOf = <T = unknown>(r: unknown): T[] => (Array.isArray(r) ? r : ((r as { rows?: T[] }).rows ?? [])) as T[];

type StatementClient =
  | { unsafe(text: string, params: unknown[], options: { prepare: boolean }): Promise<unknown[]> }
  | { query(text: string, params: unknown[]): Promise<{ rows: unknown[] }> };

/**
 * Runs one hand-written statement with `$1…` parameters on `q` (the database or a transaction). On
 * PostgreSQL it is a named prepared statement: parsed and planned once per connection, not on every
 * call, and not built by the query builder. For the few statements of a hot path (a bid: rooms.repo.ts),
 * where building and planning cost more than running; rows come back under their database names as the
 * driver parses them (map them with table-rows.ts tableRow). Everywhere else, the query builder.
 */
export async function runStatement<T>(q: DbOrTx, text: string, params: unknown[]): Promise<T[]> {
  // drizzle keeps the driver's client (the pool, or the transaction's connection) on its session.
  const client = (q as unknown as { session: { client: StatementClient } }).session.client;
  if ('unsafe' in client) return (await client.unsafe(text, params, { prepare: true })) as T[];
  return (await client.query(text, params)).rows as T[];
}

export interface DbHandle {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** The PostgreSQL URL (postgres only): migrations open their own single connection. */
  url?: string;
  /** PostgreSQL only: the pool's size, and the application_name its connections carry (metrics find them by it). */
  poolMax?: number;
  applicationName?: string;
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
    const poolMax = opts.max ?? 10;
    const applicationName = `bangfu:${hostname()}:${process.pid}`.slice(0, 63);
    const client = postgres(opts.databaseUrl, { max: poolMax, onnotice: () => {}, connection: { application_name: applicationName } });
    const db = drizzle(client, { schema, casing: 'snake_case' }) as unknown as Db;
    return {
      db,
      kind: 'postgres',
      url: opts.databaseUrl,
      poolMax,
      applicationName,
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

/**
 * PGlite corrupts a folder opened by two processes: refuse to start a second one. The lock file names
 * its holder (pid and the kernel's start time of that process); a holder that no longer runs — a crash,
 * a kill -9, a container restarted — is taken over at once instead of after a timeout.
 */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const lockPath = `${dir}.lock`;
  const me = JSON.stringify({ pid: process.pid, started: processStart(process.pid), host: hostname() });
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      writeFileSync(lockPath, me, { flag: 'wx' });
      return async () => {
        if (readText(lockPath) === me) rmSync(lockPath, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' && (e as NodeJS.ErrnoException).code !== 'EISDIR') throw e;
    }
    const holder = lockHolder(lockPath);
    if (holder === 'alive') {
      throw new Error(
        `The embedded database in ${dir} is in use by another Bangfu process (嵌入式数据库已被另一个进程占用). ` +
          'Stop it first, or set DATABASE_URL to use PostgreSQL.',
      );
    }
    // Stale: move it aside under a name of our own, so two starters cannot both remove a fresh lock.
    const aside = `${lockPath}.stale-${process.pid}-${attempt}`;
    try {
      renameSync(lockPath, aside);
      rmSync(aside, { recursive: true, force: true });
    } catch {
      // another starter moved it first: try again
    }
  }
  throw new Error(`Could not take the lock ${lockPath} of the embedded database (无法锁定嵌入式数据库目录).`);
}

/** Who holds a lock file: a running process, or nobody (its holder is gone). */
function lockHolder(lockPath: string): 'alive' | 'stale' {
  let st;
  try {
    st = statSync(lockPath);
  } catch {
    return 'stale';
  }
  // Versions before the pid lock kept a folder whose time the holder refreshed every 5 s.
  if (st.isDirectory()) return Date.now() - st.mtimeMs < 15_000 ? 'alive' : 'stale';
  let holder: { pid?: unknown; started?: unknown; host?: unknown };
  try {
    holder = JSON.parse(readText(lockPath) ?? '');
  } catch {
    // Written half-way by a process that died at that moment (or just now being written): judge by age.
    return Date.now() - st.mtimeMs < 2_000 ? 'alive' : 'stale';
  }
  if (typeof holder.pid !== 'number') return 'stale';
  // Another machine sharing the folder (network storage): its processes are not ours to check.
  if (typeof holder.host === 'string' && holder.host !== hostname()) return 'alive';
  if (holder.pid === process.pid) return 'stale';
  try {
    process.kill(holder.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return 'stale';
  }
  // The pid runs, but pids are reused (containers start the same way every time): compare start times.
  const started = processStart(holder.pid);
  if (started !== undefined && holder.started !== undefined && started !== holder.started) return 'stale';
  return 'alive';
}

/** The kernel's start time of a process (Linux), so a reused pid is not mistaken for the holder. */
function processStart(pid: number): string | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  // Field 22 (starttime), counted after the command name, which may itself contain spaces and parentheses.
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
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
      throw new Error(
        'Database handle used inside its own open transaction: pass the transaction (tx) instead — the embedded database has one connection and would wait forever.',
      );
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
