/** What the benchmarks share: a fresh PostgreSQL database of their own, and a free local port. */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import postgres from 'postgres';

/** Creates `<prefix>_<random>` next to the database of `baseUrl`; `drop()` removes it (also while connected). */
export async function freshDatabase(baseUrl: string, prefix: string) {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
      await admin.end();
    },
    /** Leaves the database in place (bench --keep) and closes the admin connection. */
    async keep() {
      dropped = true;
      await admin.end();
    },
  };
}

export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** A numeric command-line option (`--name 200`); anything but a positive number stops with a clear message. */
export function numberOption(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} needs a positive number (got ${JSON.stringify(process.argv[i + 1] ?? '')})`);
    process.exit(64);
  }
  return value;
}
