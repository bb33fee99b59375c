import { getTableColumns, sql, type SQL, type Table } from 'drizzle-orm';

/**
 * Rows of a hand-written statement (`db.execute`) as drizzle's `select().from(table)` gives them: each column
 * read under its database name (after `prefix`) and mapped from the driver's value as the column maps it
 * (timestamps to Date, bigint numbers, numeric strings). For the few hot reads where building the query
 * with the query builder costs as much as running it (a list page: bench:monitoring); everywhere else, the
 * query builder.
 */
const columnsOf = new WeakMap<Table, [string, ReturnType<typeof getTableColumns>[string]][]>();
const entries = (table: Table) => {
  let e = columnsOf.get(table);
  if (!e) columnsOf.set(table, (e = Object.entries(getTableColumns(table))));
  return e;
};

export function tableRow<T extends Table>(table: T, raw: Record<string, unknown>, prefix = ''): T['$inferSelect'] {
  const out: Record<string, unknown> = {};
  for (const [key, column] of entries(table)) {
    const v = raw[prefix + column.name];
    out[key] = v === null || v === undefined ? null : column.mapFromDriverValue(v);
  }
  return out as T['$inferSelect'];
}

/** `alias.col as prefixcol, …` for every column of a table: its columns beside another table's in one row. */
export function prefixedColumns(table: Table, alias: string, prefix: string): SQL {
  return sql.raw(prefixedColumnList(table, alias, prefix));
}

/** The same list as text, for a statement written out whole (db/client.ts runStatement). */
export function prefixedColumnList(table: Table, alias: string, prefix: string): string {
  return entries(table)
    .map(([, c]) => `${alias}.${c.name} as ${prefix}${c.name}`)
    .join(', ');
}
