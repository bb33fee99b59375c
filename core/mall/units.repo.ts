import { and, asc, eq, ilike, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client';
import { individualProfiles, memberships, organisations, sessions, unitAttributeGroups, unitProfiles, users } from '../../db/schema';
import { containsPattern } from '../shared/like';

type IndividualRow = typeof individualProfiles.$inferSelect;
export type IndividualPatch = Partial<typeof individualProfiles.$inferInsert>;
type MemberRole = (typeof memberships.$inferSelect)['role'];

/**
 * SQL of units and individuals. A unit is an organisation (kind 'unit') with the mall's unit profile,
 * and an individual is a user with the mall's individual profile: registration creates them inside
 * the accounts transaction, and employee review changes memberships and sessions in the same
 * transaction as the profile, so these statements write the organisations' and accounts' tables here.
 */
export const unitsRepo = {
  listAttributeGroups: (q: DbOrTx) => q.select().from(unitAttributeGroups).orderBy(asc(unitAttributeGroups.sort), asc(unitAttributeGroups.code)),

  /** An active unit organisation, or undefined. */
  async findActiveUnit(q: DbOrTx, id: string) {
    const [org] = await q
      .select({ id: organisations.id, fullName: organisations.fullName })
      .from(organisations)
      .where(and(eq(organisations.id, id), eq(organisations.kind, 'unit'), eq(organisations.status, 'active')));
    return org;
  },

  /** A unit organisation with this USCC, whatever its status. */
  async findUnitByUscc(q: DbOrTx, uscc: string) {
    const [org] = await q
      .select({ id: organisations.id })
      .from(organisations)
      .where(and(eq(organisations.kind, 'unit'), eq(organisations.uscc, uscc)));
    return org;
  },

  /** The unit an individual named (with its name), if the user has an individual profile. */
  async individualUnit(q: DbOrTx, userId: string) {
    const [ind] = await q
      .select({ unitId: individualProfiles.unitId, unitName: organisations.fullName })
      .from(individualProfiles)
      .leftJoin(organisations, eq(organisations.id, individualProfiles.unitId))
      .where(eq(individualProfiles.userId, userId));
    return ind;
  },

  /** The first unit the user owns or administers, by membership age. */
  async firstAdministeredUnit(q: DbOrTx, userId: string) {
    const [own] = await q
      .select({ id: organisations.id, fullName: organisations.fullName })
      .from(memberships)
      .innerJoin(organisations, eq(organisations.id, memberships.organisationId))
      .where(and(eq(memberships.userId, userId), eq(organisations.kind, 'unit'), inArray(memberships.role, ['owner', 'admin'])))
      .orderBy(asc(memberships.createdAt))
      .limit(1);
    return own;
  },

  /** The owner and admins of an organisation. */
  adminsOf: (q: DbOrTx, organisationId: string) =>
    q
      .select({ userId: memberships.userId })
      .from(memberships)
      .where(and(eq(memberships.organisationId, organisationId), inArray(memberships.role, ['owner', 'admin']))),

  /** The individual's profile with the user's login names and the unit's name. */
  async individualWithUser(q: DbOrTx, userId: string) {
    const [row] = await q
      .select({
        userId: users.id,
        username: users.username,
        mobile: users.mobile,
        realName: individualProfiles.realName,
        regionCode: individualProfiles.regionCode,
        note: individualProfiles.note,
        unitId: individualProfiles.unitId,
        unitName: organisations.fullName,
        unitStatus: individualProfiles.unitStatus,
        unitRejectReason: individualProfiles.unitRejectReason,
        updatedAt: individualProfiles.updatedAt,
      })
      .from(individualProfiles)
      .innerJoin(users, eq(users.id, individualProfiles.userId))
      .leftJoin(organisations, eq(organisations.id, individualProfiles.unitId))
      .where(eq(individualProfiles.userId, userId));
    return row;
  },

  /** Creates the unit organisation, its unit profile and the owner's membership; returns the organisation's id. */
  async insertUnit(
    tx: Tx,
    u: {
      fullName: string;
      uscc: string;
      regionCode: string;
      attributeKind: (typeof unitProfiles.$inferInsert)['attributeKind'];
      attributeGroupCode: string | null;
      searchVector: SQL;
      ownerUserId: string;
    },
  ) {
    const [org] = await tx
      .insert(organisations)
      .values({ kind: 'unit', fullName: u.fullName, uscc: u.uscc, regionCode: u.regionCode })
      .returning({ id: organisations.id });
    await tx.insert(unitProfiles).values({
      organisationId: org!.id,
      attributeKind: u.attributeKind,
      attributeGroupCode: u.attributeGroupCode,
      regionCode: u.regionCode,
      searchVector: u.searchVector,
    });
    await tx.insert(memberships).values({ userId: u.ownerUserId, organisationId: org!.id, role: 'owner' });
    return org!.id;
  },

  /** Active units whose full name matches the full-text query `tsq` or contains `text`, closest first, at most 10. */
  searchActiveUnits(q: DbOrTx, text: string, tsq: string | undefined) {
    const contains = ilike(organisations.fullName, containsPattern(text));
    const matches = tsq ? sql`${unitProfiles.searchVector} @@ to_tsquery('simple', ${tsq})` : undefined;
    return q
      .select({
        id: organisations.id,
        fullName: organisations.fullName,
        regionCode: organisations.regionCode,
        attributeKind: unitProfiles.attributeKind,
        groupName: unitAttributeGroups.name,
      })
      .from(organisations)
      .leftJoin(unitProfiles, eq(unitProfiles.organisationId, organisations.id))
      .leftJoin(unitAttributeGroups, eq(unitAttributeGroups.code, unitProfiles.attributeGroupCode))
      .where(and(eq(organisations.kind, 'unit'), eq(organisations.status, 'active'), matches ? or(matches, contains) : contains))
      .orderBy(
        sql`(${organisations.fullName} = ${text}) desc`,
        sql`(position(${text} in ${organisations.fullName}) > 0) desc`,
        ...(matches ? [sql`coalesce(ts_rank(${unitProfiles.searchVector}, to_tsquery('simple', ${tsq})), 0) desc`] : []),
        sql`char_length(${organisations.fullName})`,
        asc(organisations.fullName),
      )
      .limit(10);
  },

  /** The unit with its attribute, group name and number of plain members. */
  async unitWithProfile(q: DbOrTx, organisationId: string) {
    const [row] = await q
      .select({
        id: organisations.id,
        fullName: organisations.fullName,
        uscc: organisations.uscc,
        regionCode: organisations.regionCode,
        status: organisations.status,
        createdAt: organisations.createdAt,
        attributeKind: unitProfiles.attributeKind,
        attributeGroupCode: unitProfiles.attributeGroupCode,
        groupName: unitAttributeGroups.name,
        memberCount: sql<number>`(select count(*)::int from ${memberships} mm where mm.organisation_id = ${organisations.id} and mm.role = 'member')`,
      })
      .from(organisations)
      .leftJoin(unitProfiles, eq(unitProfiles.organisationId, organisations.id))
      .leftJoin(unitAttributeGroups, eq(unitAttributeGroups.code, unitProfiles.attributeGroupCode))
      .where(eq(organisations.id, organisationId));
    return row;
  },

  // ── individuals ─────────────────────────────────────────────────────────────────────────
  insertIndividual: (tx: Tx, values: typeof individualProfiles.$inferInsert) => tx.insert(individualProfiles).values(values),

  /** The individual profile, row-locked for the transaction. */
  async lockIndividual(tx: Tx, userId: string): Promise<IndividualRow | undefined> {
    const [profile] = await tx.select().from(individualProfiles).where(eq(individualProfiles.userId, userId)).for('update');
    return profile;
  },

  updateIndividual: (tx: Tx, userId: string, patch: IndividualPatch) => tx.update(individualProfiles).set(patch).where(eq(individualProfiles.userId, userId)),

  /** The unit's individuals in one review status, first come first, at most 500. */
  employeesOf: (q: DbOrTx, unitId: string, status: IndividualRow['unitStatus']) =>
    q
      .select({
        userId: users.id,
        username: users.username,
        mobile: users.mobile,
        realName: individualProfiles.realName,
        regionCode: individualProfiles.regionCode,
        note: individualProfiles.note,
        status: individualProfiles.unitStatus,
        rejectReason: individualProfiles.unitRejectReason,
        decidedAt: individualProfiles.unitDecidedAt,
        updatedAt: individualProfiles.updatedAt,
      })
      .from(individualProfiles)
      .innerJoin(users, eq(users.id, individualProfiles.userId))
      .where(and(eq(individualProfiles.unitId, unitId), eq(individualProfiles.unitStatus, status)))
      .orderBy(asc(individualProfiles.updatedAt), asc(users.id))
      .limit(500),

  // ── users ───────────────────────────────────────────────────────────────────────────────
  /** The user with this username, ignoring case. */
  async findUserIdByUsername(q: DbOrTx, username: string) {
    const [other] = await q
      .select({ id: users.id })
      .from(users)
      .where(sql`lower(${users.username}) = lower(${username})`);
    return other;
  },

  updateUser: (tx: Tx, userId: string, patch: { username?: string; displayName?: string }) => tx.update(users).set(patch).where(eq(users.id, userId)),

  // ── memberships ─────────────────────────────────────────────────────────────────────────
  /** Ends the user's powers at the unit (every membership but an owner's); sessions acting for it act for nobody. */
  async leaveUnit(tx: Tx, userId: string, unitId: string) {
    await tx.delete(memberships).where(and(eq(memberships.userId, userId), eq(memberships.organisationId, unitId), ne(memberships.role, 'owner')));
    await tx
      .update(sessions)
      .set({ activeOrganisationId: null })
      .where(and(eq(sessions.userId, userId), eq(sessions.activeOrganisationId, unitId)));
  },

  /** Makes the user a plain member of the organisation (nothing when already a member). */
  addMember: (tx: Tx, userId: string, organisationId: string) =>
    tx.insert(memberships).values({ userId, organisationId, role: 'member' }).onConflictDoNothing(),

  /** The organisation's members with their login names, oldest membership first. */
  membersOf: (q: DbOrTx, organisationId: string) =>
    q
      .select({ userId: users.id, username: users.username, displayName: users.displayName, role: memberships.role, createdAt: memberships.createdAt })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.organisationId, organisationId))
      .orderBy(asc(memberships.createdAt), asc(users.id)),

  /** The membership, row-locked for the transaction. */
  async lockMembership(tx: Tx, userId: string, organisationId: string) {
    const [m] = await tx
      .select()
      .from(memberships)
      .where(and(eq(memberships.userId, userId), eq(memberships.organisationId, organisationId)))
      .for('update');
    return m;
  },

  setMemberRole: (tx: Tx, userId: string, organisationId: string, role: MemberRole) =>
    tx
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.userId, userId), eq(memberships.organisationId, organisationId))),
};
