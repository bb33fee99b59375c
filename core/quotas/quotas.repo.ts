import { aliasedTable, and, type AnyColumn, asc, count, eq, exists, gte, ilike, inArray, isNotNull, isNull, notExists, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client';
import { accountActivations, auditLog, budgetUnits, budgetUnitTree, organisations, quotaPurchasers } from '../../db/schema';
import { containsPattern } from '../shared/like';
import type { AccountState } from './quotas.rules';

/**
 * `column in (values)` with the values as one JSON parameter: a whole sheet's names and codes (100,000 rows)
 * would be more parameters than one statement may have (65,535 on PostgreSQL), and arrays as parameters
 * fail on PGlite.
 */
const textIn = (column: AnyColumn, values: readonly string[]) => sql`${column} in (select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;
const uuidIn = (column: AnyColumn, values: readonly string[]) => sql`${column} in (select (jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))::uuid)`;

/**
 * Every SQL statement of the quotas context. A budget unit is an `organisations` row of kind
 * 'budget_unit' (its name and code live there, written through the organisations service) with a
 * `budget_units` row; the reads below join `organisations` for the name and code because lists are
 * searched and paged by them in one query (read only; never written here).
 */

export type BudgetUnitRow = typeof budgetUnits.$inferSelect;
export type PurchaserRow = typeof quotaPurchasers.$inferSelect;

const superior = aliasedTable(organisations, 'superior');

const unitColumns = {
  id: budgetUnits.organisationId,
  fullName: organisations.fullName,
  uscc: organisations.uscc,
  status: organisations.status,
  role: budgetUnits.role,
  superiorId: budgetUnits.superiorId,
  superiorName: superior.fullName,
  contactName: budgetUnits.contactName,
  contactMobile: budgetUnits.contactMobile,
  budgetLevel: budgetUnits.budgetLevel,
  adminLevel: budgetUnits.adminLevel,
  annualFen: budgetUnits.annualFen,
  ratioBp: budgetUnits.ratioBp,
  accountAt: budgetUnits.accountAt,
  accountUserId: budgetUnits.accountUserId,
  confirmedAt: budgetUnits.confirmedAt,
  createdAt: budgetUnits.createdAt,
  updatedAt: budgetUnits.updatedAt,
};
export type UnitRecord = {
  [K in keyof typeof unitColumns]: (typeof unitColumns)[K]['_']['notNull'] extends true
    ? (typeof unitColumns)[K]['_']['data']
    : (typeof unitColumns)[K]['_']['data'] | null;
};

const selectUnits = (q: DbOrTx) =>
  q
    .select(unitColumns)
    .from(budgetUnits)
    .innerJoin(organisations, eq(organisations.id, budgetUnits.organisationId))
    .leftJoin(superior, eq(superior.id, budgetUnits.superiorId));

/**
 * The account state of a unit's management account: none until generated, pending while an activation
 * code is open (the accounts context's row: read here only so the list can filter and page by it).
 */
const openActivation = (userColumn: typeof budgetUnits.accountUserId | typeof quotaPurchasers.userId) =>
  exists(sql`(select 1 from ${accountActivations} where ${accountActivations.userId} = ${userColumn} and ${accountActivations.usedAt} is null)`);
const accountStateWhere = (state: AccountState, userColumn: typeof budgetUnits.accountUserId | typeof quotaPurchasers.userId): SQL => {
  if (state === 'none') return isNull(userColumn);
  if (state === 'pending') return and(isNotNull(userColumn), openActivation(userColumn))!;
  return and(
    isNotNull(userColumn),
    notExists(sql`(select 1 from ${accountActivations} where ${accountActivations.userId} = ${userColumn} and ${accountActivations.usedAt} is null)`),
  )!;
};

export interface UnitFilter {
  keyword?: string;
  budgetLevel?: BudgetUnitRow['budgetLevel'];
  superiorId?: string;
  accountState?: AccountState;
}

const filterWhere = (ancestorId: string, f: UnitFilter): SQL =>
  and(
    // Strictly below the actor's unit (depth ≥ 1): one lookup in the closure table.
    exists(
      sql`(select 1 from ${budgetUnitTree} where ${budgetUnitTree.ancestorId} = ${ancestorId} and ${budgetUnitTree.descendantId} = ${budgetUnits.organisationId} and ${budgetUnitTree.depth} >= 1)`,
    ),
    f.keyword ? or(ilike(organisations.fullName, containsPattern(f.keyword)), ilike(organisations.uscc, containsPattern(f.keyword.toUpperCase()))) : undefined,
    f.budgetLevel ? eq(budgetUnits.budgetLevel, f.budgetLevel) : undefined,
    f.superiorId ? eq(budgetUnits.superiorId, f.superiorId) : undefined,
    f.accountState ? accountStateWhere(f.accountState, budgetUnits.accountUserId) : undefined,
  )!;

export const quotasRepo = {
  // ── units ────────────────────────────────────────────────────────────────────────────────────
  async findUnit(q: DbOrTx, id: string): Promise<UnitRecord | undefined> {
    const [row] = await selectUnits(q).where(eq(budgetUnits.organisationId, id));
    return row;
  },

  /** The unit's row under FOR UPDATE (changes to one unit are serialised on it). */
  async lockUnit(tx: Tx, id: string): Promise<BudgetUnitRow | undefined> {
    const [row] = await tx.select().from(budgetUnits).where(eq(budgetUnits.organisationId, id)).for('update');
    return row;
  },

  async listUnits(q: DbOrTx, ancestorId: string, f: UnitFilter, page: { limit: number; offset: number }) {
    const where = filterWhere(ancestorId, f);
    const items = await selectUnits(q).where(where).orderBy(asc(organisations.fullName), asc(budgetUnits.organisationId)).limit(page.limit).offset(page.offset);
    const [total] = await q.select({ n: count() }).from(budgetUnits).innerJoin(organisations, eq(organisations.id, budgetUnits.organisationId)).where(where);
    return { items, total: total!.n };
  },

  /** Every unit of the filter (export), at most `limit`. */
  listAllUnits: (q: DbOrTx, ancestorId: string, f: UnitFilter, limit: number) =>
    selectUnits(q).where(filterWhere(ancestorId, f)).orderBy(asc(organisations.fullName)).limit(limit),

  insertUnits: (tx: Tx, rows: (typeof budgetUnits.$inferInsert)[]) =>
    rows.length ? tx.insert(budgetUnits).values(rows).onConflictDoNothing() : Promise.resolve(),

  async updateUnit(tx: Tx, id: string, patch: Partial<typeof budgetUnits.$inferInsert>) {
    await tx
      .update(budgetUnits)
      .set({ ...patch, updatedAt: sql`now()` })
      .where(eq(budgetUnits.organisationId, id));
  },

  /** Units already on the platform named by the file (full name or code), with whether each is in `ancestorId`'s subtree. */
  async knownUnits(q: DbOrTx, ancestorId: string, names: string[], usccs: string[]) {
    if (!names.length && !usccs.length) return [];
    return q
      .select({
        id: organisations.id,
        fullName: organisations.fullName,
        uscc: organisations.uscc,
        parentId: budgetUnits.superiorId,
        inSubtree: sql<boolean>`exists (select 1 from ${budgetUnitTree} where ${budgetUnitTree.ancestorId} = ${ancestorId} and ${budgetUnitTree.descendantId} = ${organisations.id})`,
      })
      .from(organisations)
      .leftJoin(budgetUnits, eq(budgetUnits.organisationId, organisations.id))
      .where(
        and(
          eq(organisations.kind, 'budget_unit'),
          or(names.length ? textIn(organisations.fullName, names) : undefined, usccs.length ? textIn(organisations.uscc, usccs) : undefined),
        ),
      );
  },

  /** The units between `ids` and `uploaderId` (strictly below it), as the file checks know units. */
  async ancestorsWithin(q: DbOrTx, uploaderId: string, ids: string[]) {
    if (!ids.length) return [];
    const up = aliasedTable(budgetUnitTree, 'up');
    return q
      .selectDistinct({
        id: organisations.id,
        fullName: organisations.fullName,
        uscc: organisations.uscc,
        parentId: budgetUnits.superiorId,
        inSubtree: sql<boolean>`true`,
      })
      .from(budgetUnitTree)
      .innerJoin(up, and(eq(up.ancestorId, uploaderId), eq(up.descendantId, budgetUnitTree.ancestorId), gte(up.depth, 1)))
      .innerJoin(organisations, eq(organisations.id, budgetUnitTree.ancestorId))
      .innerJoin(budgetUnits, eq(budgetUnits.organisationId, budgetUnitTree.ancestorId))
      .where(uuidIn(budgetUnitTree.descendantId, ids));
  },

  /** Units without a management account in the subtree (strictly below), or the given ones of them. */
  unitsWithoutAccount: (q: DbOrTx, ancestorId: string, ids?: string[]) =>
    q
      .select({
        id: budgetUnits.organisationId,
        fullName: organisations.fullName,
        uscc: organisations.uscc,
        contactName: budgetUnits.contactName,
        mobile: budgetUnits.contactMobile,
      })
      .from(budgetUnits)
      .innerJoin(organisations, eq(organisations.id, budgetUnits.organisationId))
      .where(and(isNull(budgetUnits.accountUserId), filterWhere(ancestorId, {}), ids ? inArray(budgetUnits.organisationId, ids) : undefined))
      .orderBy(asc(budgetUnits.organisationId)),

  /** The given units still without an account in the subtree, locked (a run's chunk; two runs never generate one unit twice). */
  lockUnitsWithoutAccount: (tx: Tx, ancestorId: string, ids: string[]) =>
    tx
      .select({
        id: budgetUnits.organisationId,
        fullName: organisations.fullName,
        uscc: organisations.uscc,
        contactName: budgetUnits.contactName,
        mobile: budgetUnits.contactMobile,
      })
      .from(budgetUnits)
      .innerJoin(organisations, eq(organisations.id, budgetUnits.organisationId))
      .where(and(inArray(budgetUnits.organisationId, ids), isNull(budgetUnits.accountUserId), filterWhere(ancestorId, {})))
      .orderBy(asc(budgetUnits.organisationId))
      .for('update', { of: budgetUnits }),

  /** Counts of the given units that have an account (a generation run's progress). */
  async countWithAccount(q: DbOrTx, ids: string[]) {
    // In slices: a run over a whole ministry's tree names more units than one statement may have parameters (65,535).
    let n = 0;
    for (let i = 0; i < ids.length; i += 10_000) {
      const [row] = await q
        .select({ n: count() })
        .from(budgetUnits)
        .where(and(inArray(budgetUnits.organisationId, ids.slice(i, i + 10_000)), isNotNull(budgetUnits.accountUserId)));
      n += row!.n;
    }
    return n;
  },

  async setAccounts(tx: Tx, rows: { id: string; userId: string }[], at: Date) {
    if (!rows.length) return;
    const values = sql.join(
      rows.map((r) => sql`(${r.id}::uuid, ${r.userId}::uuid)`),
      sql`, `,
    );
    await tx.execute(
      sql`update ${budgetUnits} set account_user_id = v.user_id, account_at = ${at.toISOString()}::timestamptz, updated_at = now() from (values ${values}) as v(id, user_id) where ${budgetUnits.organisationId} = v.id and ${budgetUnits.accountUserId} is null`,
    );
  },

  // ── the tree ─────────────────────────────────────────────────────────────────────────────────
  /** How deep `descendantId` is below `ancestorId` (0: itself), or undefined outside its subtree. */
  async depthBelow(q: DbOrTx, ancestorId: string, descendantId: string): Promise<number | undefined> {
    const [row] = await q
      .select({ depth: budgetUnitTree.depth })
      .from(budgetUnitTree)
      .where(and(eq(budgetUnitTree.ancestorId, ancestorId), eq(budgetUnitTree.descendantId, descendantId)));
    return row?.depth;
  },

  /** Which of `ids` are in `ancestorId`'s subtree (itself included). */
  async inSubtree(q: DbOrTx, ancestorId: string, ids: string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows = await q
      .select({ id: budgetUnitTree.descendantId })
      .from(budgetUnitTree)
      .where(and(eq(budgetUnitTree.ancestorId, ancestorId), inArray(budgetUnitTree.descendantId, ids)));
    return new Set(rows.map((r) => r.id));
  },

  /** The units' rows by id under FOR UPDATE (an import chunk's existing units). */
  async lockUnits(tx: Tx, ids: string[]): Promise<Map<string, BudgetUnitRow>> {
    if (!ids.length) return new Map();
    const rows = await tx.select().from(budgetUnits).where(inArray(budgetUnits.organisationId, ids)).orderBy(asc(budgetUnits.organisationId)).for('update');
    return new Map(rows.map((r) => [r.organisationId, r]));
  },

  /** Each unit's ancestors (itself at depth 0), by unit. */
  async ancestorsOf(q: DbOrTx, ids: string[]): Promise<Map<string, { ancestorId: string; depth: number }[]>> {
    const out = new Map<string, { ancestorId: string; depth: number }[]>();
    if (!ids.length) return out;
    const rows = await q.select().from(budgetUnitTree).where(inArray(budgetUnitTree.descendantId, ids));
    for (const r of rows) out.set(r.descendantId, [...(out.get(r.descendantId) ?? []), { ancestorId: r.ancestorId, depth: r.depth }]);
    return out;
  },

  /** Closure rows in multi-row statements (a chunk of new units). */
  async insertPairs(tx: Tx, pairs: (typeof budgetUnitTree.$inferInsert)[]) {
    for (let i = 0; i < pairs.length; i += 5_000)
      await tx
        .insert(budgetUnitTree)
        .values(pairs.slice(i, i + 5_000))
        .onConflictDoNothing();
  },

  /** Closure rows of a new unit: itself at depth 0 and every ancestor of its superior one deeper. */
  async attach(tx: Tx, unitId: string, superiorId: string | null) {
    await tx.insert(budgetUnitTree).values({ ancestorId: unitId, descendantId: unitId, depth: 0 }).onConflictDoNothing();
    if (!superiorId) return;
    await tx.execute(
      sql`insert into ${budgetUnitTree} (ancestor_id, descendant_id, depth) select ancestor_id, ${unitId}::uuid, depth + 1 from ${budgetUnitTree} where descendant_id = ${superiorId}::uuid on conflict do nothing`,
    );
  },

  /**
   * Moves a unit and its whole subtree under another superior: the pairs linking the subtree to its old
   * ancestors go, pairs to the new superior's ancestors come. The caller has checked the new superior is
   * not inside the subtree.
   */
  /**
   * Moves one at a time (a transaction-level lock): two moves at once (X under Y, Y under X) would each
   * find no loop and together make one. Taken before the loop check.
   */
  lockMoves: (tx: Tx) => tx.execute(sql`select pg_advisory_xact_lock(7264338016)`),

  async move(tx: Tx, unitId: string, superiorId: string) {
    await tx.execute(sql`delete from ${budgetUnitTree}
      where descendant_id in (select descendant_id from ${budgetUnitTree} where ancestor_id = ${unitId}::uuid)
        and ancestor_id not in (select descendant_id from ${budgetUnitTree} where ancestor_id = ${unitId}::uuid)`);
    await tx.execute(sql`insert into ${budgetUnitTree} (ancestor_id, descendant_id, depth)
      select up.ancestor_id, down.descendant_id, up.depth + down.depth + 1
      from ${budgetUnitTree} up cross join ${budgetUnitTree} down
      where up.descendant_id = ${superiorId}::uuid and down.ancestor_id = ${unitId}::uuid
      on conflict do nothing`);
  },

  /** Every (ancestor, descendant, depth) of the subtree (tests compare it with a walk of the superiors). */
  subtreePairs: (q: DbOrTx, ancestorId: string) =>
    q
      .select()
      .from(budgetUnitTree)
      .where(and(eq(budgetUnitTree.ancestorId, ancestorId), gte(budgetUnitTree.depth, 0))),

  // ── history ──────────────────────────────────────────────────────────────────────────────────
  /** The unit's change history: audit rows about it, newest first (read only). */
  history: (q: DbOrTx, unitId: string, limit = 50) =>
    q
      .select({ action: auditLog.action, actorUserId: auditLog.actorUserId, before: auditLog.before, after: auditLog.after, createdAt: auditLog.createdAt })
      .from(auditLog)
      .where(and(eq(auditLog.targetType, 'budget_unit'), eq(auditLog.targetId, unitId)))
      .orderBy(sql`${auditLog.createdAt} desc`)
      .limit(limit),

  // ── purchasers ───────────────────────────────────────────────────────────────────────────────
  async purchaserUnitsByUscc(q: DbOrTx, usccs: string[]): Promise<Map<string, string>> {
    if (!usccs.length) return new Map();
    const rows = await q
      .select({ uscc: quotaPurchasers.uscc, unitId: quotaPurchasers.budgetUnitId })
      .from(quotaPurchasers)
      .where(inArray(quotaPurchasers.uscc, usccs));
    return new Map(rows.map((r) => [r.uscc, r.unitId]));
  },

  /** Purchasers by code: new ones inserted, this unit's own updated (another unit's code is left alone and not returned). */
  upsertPurchasers: (tx: Tx, unitId: string, rows: { name: string; uscc: string; kind: string; contactName: string; mobile: string }[]) =>
    tx
      .insert(quotaPurchasers)
      .values(rows.map((r) => ({ ...r, budgetUnitId: unitId })))
      .onConflictDoUpdate({
        target: quotaPurchasers.uscc,
        set: {
          name: sql`excluded.name`,
          kind: sql`excluded.kind`,
          contactName: sql`excluded.contact_name`,
          mobile: sql`excluded.mobile`,
          updatedAt: sql`now()`,
        },
        setWhere: eq(quotaPurchasers.budgetUnitId, unitId),
      })
      .returning({ id: quotaPurchasers.id, uscc: quotaPurchasers.uscc }),

  async listPurchasers(q: DbOrTx, unitId: string, f: { keyword?: string; accountState?: AccountState }, page: { limit: number; offset: number }) {
    const where = and(
      eq(quotaPurchasers.budgetUnitId, unitId),
      f.keyword
        ? or(
            ilike(quotaPurchasers.name, containsPattern(f.keyword)),
            ilike(quotaPurchasers.uscc, containsPattern(f.keyword)),
            eq(quotaPurchasers.mobile, f.keyword),
          )
        : undefined,
      f.accountState ? accountStateWhere(f.accountState, quotaPurchasers.userId) : undefined,
    );
    const items = await q
      .select()
      .from(quotaPurchasers)
      .where(where)
      .orderBy(asc(quotaPurchasers.createdAt), asc(quotaPurchasers.id))
      .limit(page.limit)
      .offset(page.offset);
    const [total] = await q.select({ n: count() }).from(quotaPurchasers).where(where);
    return { items, total: total!.n };
  },

  async findPurchaser(q: DbOrTx, id: string) {
    const [row] = await q.select().from(quotaPurchasers).where(eq(quotaPurchasers.id, id));
    return row;
  },

  /** The unit's purchasers without an account (all, or the given ids among them), locked. */
  lockPurchasersWithoutAccount: (tx: Tx, unitId: string, ids?: string[]) =>
    tx
      .select()
      .from(quotaPurchasers)
      .where(and(eq(quotaPurchasers.budgetUnitId, unitId), isNull(quotaPurchasers.userId), ids ? inArray(quotaPurchasers.id, ids) : undefined))
      .orderBy(asc(quotaPurchasers.createdAt))
      .for('update'),

  async setPurchaserAccount(tx: Tx, id: string, userId: string, at: Date) {
    await tx
      .update(quotaPurchasers)
      .set({ userId, accountAt: at, updatedAt: at })
      .where(and(eq(quotaPurchasers.id, id), isNull(quotaPurchasers.userId)));
  },
};
