import { and, count, desc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { memberships, organisations, sessions, users } from '../../db/schema';
import { recordAudit } from '../audit/audit';
import { requireOperator, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { parseInput, SearchKeyword } from '../shared/validate';
import { PageNumber, PageSize, pageOffset } from '../shared/paging';

export const ORGANISATION_KINDS = ['enterprise', 'provider', 'unit', 'merchant', 'government', 'budget_unit', 'platform'] as const;

export const ORGANISATION_KIND_LABELS: Record<(typeof ORGANISATION_KINDS)[number], string> = {
  enterprise: '企业',
  provider: '服务机构',
  unit: '单位',
  merchant: '商家',
  government: '政府部门',
  budget_unit: '预算单位',
  platform: '平台运营',
};

export const AdminListQuery = z.object({
  q: SearchKeyword(100),
  page: PageNumber,
  pageSize: PageSize(100, 20),
  kind: z.enum(ORGANISATION_KINDS).optional(),
  status: z.enum(['active', 'disabled']).optional(),
});
export type AdminListQuery = z.infer<typeof AdminListQuery>;

export const ProviderListQuery = z.object({ q: SearchKeyword(100), page: PageNumber, pageSize: PageSize(50, 12) });

export const SetStatusInput = z.object({
  status: z.enum(['active', 'disabled'], { message: '状态只能是 active 或 disabled' }),
  reason: z.string().trim().max(200, '原因不超过 200 字').optional(),
});

const like = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Organisations and the operator console's lists. Every query here is either the caller's own or operator-only. */
export function createOrganisationService({ db }: { db: Db }) {
  return {
    /** The public face of a provider (storefront), enterprise or unit: no members, no contact details. */
    async getPublicProfile(id: string) {
      if (!z.uuid().safeParse(id).success) throw new AppError('NOT_FOUND', '组织不存在');
      const org = await db.query.organisations.findFirst({ where: eq(organisations.id, id) });
      if (!org || org.status !== 'active' || org.kind === 'platform') throw new AppError('NOT_FOUND', '组织不存在');
      return { id: org.id, kind: org.kind, fullName: org.fullName, intro: org.intro, createdAt: org.createdAt };
    },

    /** Active providers for the showcase hall (展示大厅), newest first. */
    async listProviders(raw: unknown) {
      const query = parseInput(ProviderListQuery, raw);
      const { page, pageSize } = query;
      const where = and(
        eq(organisations.kind, 'provider'),
        eq(organisations.status, 'active'),
        query.q ? ilike(organisations.fullName, like(query.q)) : undefined,
      );
      const [items, [total]] = await Promise.all([
        db
          .select({ id: organisations.id, fullName: organisations.fullName, intro: organisations.intro, createdAt: organisations.createdAt })
          .from(organisations)
          .where(where)
          .orderBy(desc(organisations.createdAt), desc(organisations.id))
          .limit(pageSize)
          .offset(pageOffset(query)),
        db.select({ n: count() }).from(organisations).where(where),
      ]);
      return { items, total: Number(total?.n ?? 0), page, pageSize };
    },

    async adminListUsers(actor: Actor | null, raw: unknown) {
      requireOperator(actor);
      const q = parseInput(AdminListQuery, raw);
      const conds: (SQL | undefined)[] = [q.status ? eq(users.status, q.status) : undefined];
      if (q.q) conds.push(or(ilike(users.username, like(q.q)), ilike(users.mobile, like(q.q)), ilike(users.email, like(q.q)), ilike(users.displayName, like(q.q))));
      const where = and(...conds);
      const [rows, [total]] = await Promise.all([
        db
          .select({
            id: users.id,
            username: users.username,
            mobile: users.mobile,
            email: users.email,
            displayName: users.displayName,
            status: users.status,
            createdAt: users.createdAt,
            organisations: sql<string[]>`coalesce((select array_agg(o.full_name order by m.created_at) from ${memberships} m join ${organisations} o on o.id = m.organisation_id where m.user_id = ${users}.id), '{}')`,
          })
          .from(users)
          .where(where)
          .orderBy(desc(users.createdAt), desc(users.id))
          .limit(q.pageSize)
          .offset((q.page - 1) * q.pageSize),
        db.select({ n: count() }).from(users).where(where),
      ]);
      return { items: rows, total: Number(total?.n ?? 0), page: q.page, pageSize: q.pageSize };
    },

    async adminListOrganisations(actor: Actor | null, raw: unknown) {
      requireOperator(actor);
      const q = parseInput(AdminListQuery, raw);
      const where = and(
        q.kind ? eq(organisations.kind, q.kind) : undefined,
        q.status ? eq(organisations.status, q.status) : undefined,
        q.q ? or(ilike(organisations.fullName, like(q.q)), ilike(organisations.uscc, like(q.q))) : undefined,
      );
      const [rows, [total]] = await Promise.all([
        db
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
          .limit(q.pageSize)
          .offset((q.page - 1) * q.pageSize),
        db.select({ n: count() }).from(organisations).where(where),
      ]);
      return { items: rows, total: Number(total?.n ?? 0), page: q.page, pageSize: q.pageSize };
    },

    /** Disables or re-enables an account; disabling ends its sessions at once. Operators cannot disable themselves. */
    async adminSetUserStatus(actor: Actor | null, userId: string, raw: unknown) {
      const a = requireOperator(actor);
      const input = parseInput(SetStatusInput, raw);
      if (!z.uuid().safeParse(userId).success) throw new AppError('NOT_FOUND', '用户不存在');
      if (userId === a.userId) throw new AppError('FORBIDDEN', '不能停用自己的账号');
      return db.transaction(async (tx) => {
        const [previous] = await tx.select({ status: users.status }).from(users).where(eq(users.id, userId)).for('update');
        const [row] = await tx.update(users).set({ status: input.status }).where(eq(users.id, userId)).returning({ id: users.id, status: users.status, username: users.username });
        if (!row || !previous) throw new AppError('NOT_FOUND', '用户不存在');
        if (input.status === 'disabled') await tx.delete(sessions).where(eq(sessions.userId, userId));
        // The row belongs to the organisation the user joined first, so its admins see it.
        const [home] = await tx.select({ id: memberships.organisationId }).from(memberships).where(eq(memberships.userId, userId)).orderBy(memberships.createdAt).limit(1);
        await recordAudit(tx, {
          actorUserId: a.userId,
          action: input.status === 'disabled' ? 'admin.user_disable' : 'admin.user_enable',
          targetType: 'user',
          targetId: userId,
          organisationId: home?.id ?? null,
          before: { status: previous.status },
          after: { status: row.status },
          reason: input.reason ?? null,
        });
        return row;
      });
    },

    async adminSetOrganisationStatus(actor: Actor | null, organisationId: string, raw: unknown) {
      const a = requireOperator(actor);
      const input = parseInput(SetStatusInput, raw);
      if (!z.uuid().safeParse(organisationId).success) throw new AppError('NOT_FOUND', '组织不存在');
      return db.transaction(async (tx) => {
        const [previous] = await tx.select({ status: organisations.status }).from(organisations).where(eq(organisations.id, organisationId)).for('update');
        const [row] = await tx
          .update(organisations)
          .set({ status: input.status })
          .where(and(eq(organisations.id, organisationId), sql`${organisations.kind} <> 'platform'`))
          .returning({ id: organisations.id, status: organisations.status });
        if (!row || !previous) throw new AppError('NOT_FOUND', '组织不存在');
        await recordAudit(tx, {
          actorUserId: a.userId,
          action: `admin.organisation_${input.status}`,
          targetType: 'organisation',
          targetId: organisationId,
          organisationId,
          before: { status: previous.status },
          after: { status: row.status },
          reason: input.reason ?? null,
        });
        return row;
      });
    },
  };
}

export type OrganisationService = ReturnType<typeof createOrganisationService>;
