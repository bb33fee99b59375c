import { and, count, desc, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { memberships, organisations, sessions, users } from '../../db/schema';
import { containsPattern } from '../shared/like';

export type OrganisationRow = typeof organisations.$inferSelect;
type OrganisationKind = OrganisationRow['kind'];
type Status = 'active' | 'disabled';
interface Paging {
  limit: number;
  offset: number;
}

/** SQL of organisations and the operator console's user and organisation lists. */
export const organisationsRepo = {
  findOrganisation: (q: DbOrTx, id: string) => q.query.organisations.findFirst({ where: eq(organisations.id, id) }),

  /** An organisation of that kind registered with that USCC, if any. */
  findByUscc: (q: DbOrTx, kind: OrganisationKind, uscc: string) =>
    q.query.organisations.findFirst({ where: and(eq(organisations.kind, kind), eq(organisations.uscc, uscc)) }),

  async insertOrganisation(q: DbOrTx, values: typeof organisations.$inferInsert) {
    const [row] = await q.insert(organisations).values(values).returning();
    return row!;
  },

  /** Organisations of one kind by USCC: inserted, or renamed when the code exists (unique (kind, uscc)). */
  upsertByUscc: (q: DbOrTx, kind: OrganisationKind, rows: { fullName: string; uscc: string; regionCode?: string | null }[]) =>
    q
      .insert(organisations)
      .values(rows.map((r) => ({ kind, fullName: r.fullName, uscc: r.uscc, regionCode: r.regionCode ?? null })))
      .onConflictDoUpdate({
        target: [organisations.kind, organisations.uscc],
        targetWhere: sql`${organisations.uscc} is not null`,
        set: { fullName: sql`excluded.full_name` },
      })
      .returning({ id: organisations.id, uscc: organisations.uscc }),

  insertMembership: (q: DbOrTx, values: typeof memberships.$inferInsert) => q.insert(memberships).values(values),
  /** Many memberships in one statement (the rows as one JSON parameter); an existing one is kept as it is. */
  insertMemberships: (q: DbOrTx, v: { userId: string; organisationId: string; role: string }[]) =>
    q.execute(sql`
      insert into ${memberships} (user_id, organisation_id, role)
      select t.user_id, t.organisation_id, t.role::member_role
      from jsonb_to_recordset(${JSON.stringify(v.map((x) => ({ user_id: x.userId, organisation_id: x.organisationId, role: x.role })))}::jsonb)
        as t(user_id uuid, organisation_id uuid, role text)
      on conflict do nothing`),

  /** The user's organisations with their role, oldest membership first. */
  listMembershipsOf: (q: DbOrTx, userId: string) =>
    q
      .select({
        organisationId: organisations.id,
        kind: organisations.kind,
        fullName: organisations.fullName,
        uscc: organisations.uscc,
        status: organisations.status,
        role: memberships.role,
      })
      .from(memberships)
      .innerJoin(organisations, eq(organisations.id, memberships.organisationId))
      .where(eq(memberships.userId, userId))
      .orderBy(memberships.createdAt),

  async listNames(q: DbOrTx, ids: string[]) {
    if (!ids.length) return [];
    return q
      .select({ id: organisations.id, fullName: organisations.fullName, uscc: organisations.uscc })
      .from(organisations)
      .where(inArray(organisations.id, ids));
  },

  async listSummaries(q: DbOrTx, ids: string[]) {
    if (!ids.length) return [];
    return q
      .select({ id: organisations.id, fullName: organisations.fullName, status: organisations.status })
      .from(organisations)
      .where(inArray(organisations.id, ids));
  },

  /** Active providers whose name contains `keyword`, newest first. */
  async pageActiveProviders(q: DbOrTx, keyword: string | undefined, paging: Paging) {
    const where = and(
      eq(organisations.kind, 'provider'),
      eq(organisations.status, 'active'),
      keyword ? ilike(organisations.fullName, containsPattern(keyword)) : undefined,
    );
    const [items, [total]] = await Promise.all([
      q
        .select({ id: organisations.id, fullName: organisations.fullName, intro: organisations.intro, createdAt: organisations.createdAt })
        .from(organisations)
        .where(where)
        .orderBy(desc(organisations.createdAt), desc(organisations.id))
        .limit(paging.limit)
        .offset(paging.offset),
      q.select({ n: count() }).from(organisations).where(where),
    ]);
    return { items, total: Number(total?.n ?? 0) };
  },

  /** Users matching `keyword` in username, mobile, e-mail or name, with the names of their organisations. */
  async pageUsers(q: DbOrTx, filter: { keyword?: string; status?: Status }, paging: Paging) {
    const conds: (SQL | undefined)[] = [filter.status ? eq(users.status, filter.status) : undefined];
    if (filter.keyword) {
      const p = containsPattern(filter.keyword);
      conds.push(or(ilike(users.username, p), ilike(users.mobile, p), ilike(users.email, p), ilike(users.displayName, p)));
    }
    const where = and(...conds);
    const [items, [total]] = await Promise.all([
      q
        .select({
          id: users.id,
          username: users.username,
          mobile: users.mobile,
          email: users.email,
          displayName: users.displayName,
          status: users.status,
          createdAt: users.createdAt,
          organisations: sql<
            string[]
          >`coalesce((select array_agg(o.full_name order by m.created_at) from ${memberships} m join ${organisations} o on o.id = m.organisation_id where m.user_id = ${users}.id), '{}')`,
        })
        .from(users)
        .where(where)
        .orderBy(desc(users.createdAt), desc(users.id))
        .limit(paging.limit)
        .offset(paging.offset),
      q.select({ n: count() }).from(users).where(where),
    ]);
    return { items, total: Number(total?.n ?? 0) };
  },

  async pageOrganisations(q: DbOrTx, filter: { keyword?: string; kind?: OrganisationKind; status?: Status }, paging: Paging) {
    const where = and(
      filter.kind ? eq(organisations.kind, filter.kind) : undefined,
      filter.status ? eq(organisations.status, filter.status) : undefined,
      filter.keyword
        ? or(ilike(organisations.fullName, containsPattern(filter.keyword)), ilike(organisations.uscc, containsPattern(filter.keyword)))
        : undefined,
    );
    const [items, [total]] = await Promise.all([
      q
        .select({
          id: organisations.id,
          kind: organisations.kind,
          fullName: organisations.fullName,
          uscc: organisations.uscc,
          status: organisations.status,
          parentId: organisations.parentId,
          createdAt: organisations.createdAt,
          memberCount: sql<number>`(select count(*)::int from ${memberships} m where m.organisation_id = ${organisations.id})`,
        })
        .from(organisations)
        .where(where)
        .orderBy(desc(organisations.createdAt), desc(organisations.id))
        .limit(paging.limit)
        .offset(paging.offset),
      q.select({ n: count() }).from(organisations).where(where),
    ]);
    return { items, total: Number(total?.n ?? 0) };
  },

  async lockUserStatus(q: DbOrTx, userId: string) {
    const [row] = await q.select({ status: users.status }).from(users).where(eq(users.id, userId)).for('update');
    return row;
  },

  async setUserStatus(q: DbOrTx, userId: string, status: Status) {
    const [row] = await q.update(users).set({ status }).where(eq(users.id, userId)).returning({ id: users.id, status: users.status, username: users.username });
    return row;
  },

  deleteUserSessions: (q: DbOrTx, userId: string) => q.delete(sessions).where(eq(sessions.userId, userId)),

  /** The organisation the user joined first. */
  async findHomeOrganisationId(q: DbOrTx, userId: string) {
    const [row] = await q
      .select({ id: memberships.organisationId })
      .from(memberships)
      .where(eq(memberships.userId, userId))
      .orderBy(memberships.createdAt)
      .limit(1);
    return row?.id;
  },

  async lockOrganisationStatus(q: DbOrTx, organisationId: string) {
    const [row] = await q.select({ status: organisations.status }).from(organisations).where(eq(organisations.id, organisationId)).for('update');
    return row;
  },

  /** The platform's own organisation is never changed here. */
  async setOrganisationStatus(q: DbOrTx, organisationId: string, status: Status) {
    const [row] = await q
      .update(organisations)
      .set({ status })
      .where(and(eq(organisations.id, organisationId), sql`${organisations.kind} <> 'platform'`))
      .returning({ id: organisations.id, status: organisations.status });
    return row;
  },
};
