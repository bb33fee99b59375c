import { z } from 'zod';
import type { Db, DbOrTx } from '../../db/client';
import { recordAudit } from '../audit/audit';
import { requireOperator, type Actor, type MemberRole } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { parseInput, SearchKeyword } from '../shared/validate';
import { PageNumber, PageSize, pageOffset } from '../shared/paging';
import { organisationsRepo as repo } from './organisations.repo';

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

/** What a registration founds: an organisation of one kind, owned by the person registering it. */
export interface NewOrganisation {
  kind: (typeof ORGANISATION_KINDS)[number];
  fullName: string;
  uscc: string | null;
  regionCode: string | null;
}

/** Organisations and the operator console's lists. Every query here is either the caller's own or operator-only. */
export function createOrganisationService({ db }: { db: Db }) {
  return {
    /** The organisation of that kind already registered with that USCC, if any (registration refuses a second one). */
    findByUscc: (kind: NewOrganisation['kind'], uscc: string, q: DbOrTx = db) => repo.findByUscc(q, kind, uscc),

    /** The user's organisations with their role and status, oldest membership first (what a session may act for). */
    membershipsOf: (userId: string, q: DbOrTx = db) => repo.listMembershipsOf(q, userId),

    /**
     * Founds an organisation with `ownerUserId` as its owner, in the caller's transaction (the account
     * that registers it commits with it). A second organisation of one kind with one USCC fails on the
     * unique index; callers check `findByUscc` first to refuse it by field.
     */
    async createWithOwner(tx: DbOrTx, org: NewOrganisation, ownerUserId: string) {
      const row = await repo.insertOrganisation(tx, org);
      await repo.insertMembership(tx, { userId: ownerUserId, organisationId: row.id, role: 'owner' });
      return row;
    },

    /** Founds an organisation with no member yet, in the caller's transaction (monitoring opens it, then its account joins). */
    create: (tx: DbOrTx, org: NewOrganisation) => repo.insertOrganisation(tx, org),

    /** Adds members in the caller's transaction; a person already a member keeps the role they have. */
    async addMembers(tx: DbOrTx, rows: { userId: string; organisationId: string; role: MemberRole }[]) {
      if (rows.length) await repo.insertMemberships(tx, rows);
    },

    /**
     * Organisations of one kind created or renamed by USCC in the caller's transaction (the quotas
     * import: the same code updates, never duplicates). Returns each code's organisation id.
     */
    async upsertByUscc(tx: DbOrTx, kind: NewOrganisation['kind'], rows: { fullName: string; uscc: string; regionCode?: string | null }[]) {
      if (!rows.length) return new Map<string, string>();
      const out = await repo.upsertByUscc(tx, kind, rows);
      return new Map(out.map((r) => [r.uscc!, r.id]));
    },

    /** Full names of organisations by id, for other contexts' lists (an unknown id is left out). */
    async namesOf(ids: string[], q: DbOrTx = db): Promise<Map<string, string>> {
      const rows = await repo.listNames(q, [...new Set(ids)]);
      return new Map(rows.map((r) => [r.id, r.fullName]));
    },

    /** Full names and USCCs by id, for the parties of another context's contracts (an unknown id is left out). */
    async partiesOf(ids: string[], q: DbOrTx = db): Promise<Map<string, { id: string; fullName: string; uscc: string | null }>> {
      const rows = await repo.listNames(q, [...new Set(ids)]);
      return new Map(rows.map((r) => [r.id, r]));
    },

    /** Full names and statuses by id, for other contexts that offer an organisation's goods only while it is active (an unknown id is left out). */
    async summariesOf(ids: string[], q: DbOrTx = db): Promise<Map<string, { id: string; fullName: string; status: 'active' | 'disabled' }>> {
      const rows = await repo.listSummaries(q, [...new Set(ids)]);
      return new Map(rows.map((r) => [r.id, r]));
    },

    /** The public face of a provider (storefront), enterprise or unit: no members, no contact details. */
    async getPublicProfile(id: string) {
      if (!z.uuid().safeParse(id).success) throw new AppError('NOT_FOUND', '组织不存在');
      const org = await repo.findOrganisation(db, id);
      if (!org || org.status !== 'active' || org.kind === 'platform') throw new AppError('NOT_FOUND', '组织不存在');
      return { id: org.id, kind: org.kind, fullName: org.fullName, intro: org.intro, createdAt: org.createdAt };
    },

    /** Active providers for the showcase hall (展示大厅), newest first. */
    async listProviders(raw: unknown) {
      const query = parseInput(ProviderListQuery, raw);
      const { page, pageSize } = query;
      const { items, total } = await repo.pageActiveProviders(db, query.q, { limit: pageSize, offset: pageOffset(query) });
      return { items, total, page, pageSize };
    },

    async adminListUsers(actor: Actor | null, raw: unknown) {
      requireOperator(actor);
      const q = parseInput(AdminListQuery, raw);
      const { items, total } = await repo.pageUsers(db, { keyword: q.q, status: q.status }, { limit: q.pageSize, offset: (q.page - 1) * q.pageSize });
      return { items, total, page: q.page, pageSize: q.pageSize };
    },

    async adminListOrganisations(actor: Actor | null, raw: unknown) {
      requireOperator(actor);
      const q = parseInput(AdminListQuery, raw);
      const { items, total } = await repo.pageOrganisations(
        db,
        { keyword: q.q, kind: q.kind, status: q.status },
        { limit: q.pageSize, offset: (q.page - 1) * q.pageSize },
      );
      return { items, total, page: q.page, pageSize: q.pageSize };
    },

    /** Disables or re-enables an account; disabling ends its sessions at once. Operators cannot disable themselves. */
    async adminSetUserStatus(actor: Actor | null, userId: string, raw: unknown) {
      const a = requireOperator(actor);
      const input = parseInput(SetStatusInput, raw);
      if (!z.uuid().safeParse(userId).success) throw new AppError('NOT_FOUND', '用户不存在');
      if (userId === a.userId) throw new AppError('FORBIDDEN', '不能停用自己的账号');
      return db.transaction(async (tx) => {
        const previous = await repo.lockUserStatus(tx, userId);
        const row = await repo.setUserStatus(tx, userId, input.status);
        if (!row || !previous) throw new AppError('NOT_FOUND', '用户不存在');
        if (input.status === 'disabled') await repo.deleteUserSessions(tx, userId);
        // The row belongs to the organisation the user joined first, so its admins see it.
        const homeId = await repo.findHomeOrganisationId(tx, userId);
        await recordAudit(tx, {
          actorUserId: a.userId,
          action: input.status === 'disabled' ? 'admin.user_disable' : 'admin.user_enable',
          targetType: 'user',
          targetId: userId,
          organisationId: homeId ?? null,
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
        const previous = await repo.lockOrganisationStatus(tx, organisationId);
        const row = await repo.setOrganisationStatus(tx, organisationId, input.status);
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
