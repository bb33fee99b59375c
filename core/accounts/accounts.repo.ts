import { and, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import { rowsOf, type DbOrTx, type Tx } from '../../db/client';
import { accountActivations, sessions, users, verificationCodes } from '../../db/schema';

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;

export type ActivationRow = typeof accountActivations.$inferSelect;
/** What a verification code is for: 'register', 'reset_password' or 'login' (短信登录). */
export type CodePurpose = (typeof verificationCodes.$inferSelect)['purpose'];

export const accountsRepo = {
  usersByMobiles: (q: DbOrTx, mobiles: string[]) =>
    q.select({ id: users.id, mobile: users.mobile, username: users.username }).from(users).where(inArray(users.mobile, mobiles)),

  /**
   * New users without a password (generated accounts), one statement for any number (the rows as one
   * JSON parameter: no query of thousands of parameters to build); a row whose username or mobile is
   * taken is left out.
   */
  async insertUsers(q: DbOrTx, v: { username: string; mobile: string; displayName: string; passwordHash: string }[], at: Date) {
    const result = await q.execute(sql`
      insert into ${users} (username, mobile, display_name, password_hash, created_at, password_changed_at)
      select t.username, t.mobile, t.display_name, t.password_hash, ${at.toISOString()}::timestamptz, ${at.toISOString()}::timestamptz
      from jsonb_to_recordset(${JSON.stringify(v.map((x) => ({ username: x.username, mobile: x.mobile, display_name: x.displayName, password_hash: x.passwordHash })))}::jsonb)
        as t(username text, mobile text, display_name text, password_hash text)
      on conflict do nothing
      returning id, mobile, username`);
    return rowsOf<{ id: string; mobile: string; username: string }>(result);
  },

  /** Activation codes, one statement for any number. */
  async insertActivations(q: DbOrTx, v: { userId: string; organisationId: string | null; codeHash: string; expiresAt: Date }[], at: Date) {
    await q.execute(sql`
      insert into ${accountActivations} (user_id, organisation_id, code_hash, expires_at, created_at)
      select t.user_id, t.organisation_id, t.code_hash, t.expires_at, ${at.toISOString()}::timestamptz
      from jsonb_to_recordset(${JSON.stringify(v.map((x) => ({ user_id: x.userId, organisation_id: x.organisationId, code_hash: x.codeHash, expires_at: x.expiresAt.toISOString() })))}::jsonb)
        as t(user_id uuid, organisation_id uuid, code_hash text, expires_at timestamptz)`);
  },

  /** Ends the user's open activation codes (a new one replaces them). */
  closeActivations: (q: DbOrTx, userId: string, at: Date) =>
    q
      .update(accountActivations)
      .set({ usedAt: at, expiresAt: at })
      .where(and(eq(accountActivations.userId, userId), sql`${accountActivations.usedAt} is null`)),

  /** The user's newest activation code, open or not (what a refused try is compared with). */
  async latestActivation(q: DbOrTx, userId: string): Promise<ActivationRow | undefined> {
    const [row] = await q
      .select()
      .from(accountActivations)
      .where(eq(accountActivations.userId, userId))
      .orderBy(desc(accountActivations.createdAt), desc(accountActivations.id))
      .limit(1);
    return row;
  },

  /** The user's open activation code, locked for this try. */
  async lockOpenActivation(q: DbOrTx, userId: string): Promise<ActivationRow | undefined> {
    const [row] = await q
      .select()
      .from(accountActivations)
      .where(and(eq(accountActivations.userId, userId), sql`${accountActivations.usedAt} is null`))
      .for('update');
    return row;
  },

  updateActivation: (q: DbOrTx, id: string, set: Partial<typeof accountActivations.$inferInsert>) =>
    q.update(accountActivations).set(set).where(eq(accountActivations.id, id)),

  /** Per user: whether a password is set, and whether an open activation code is still valid at `now`. */
  activationStates: (q: DbOrTx, userIds: string[], now: Date) =>
    q
      .select({
        userId: users.id,
        passwordHash: users.passwordHash,
        open: sql<boolean>`exists (select 1 from account_activations a where a.user_id = "users"."id" and a.used_at is null and a.expires_at > ${now.toISOString()}::timestamptz)`,
      })
      .from(users)
      .where(inArray(users.id, userIds)),

  findUserByUsername: (q: DbOrTx, username: string) => q.query.users.findFirst({ where: sql`lower(${users.username}) = lower(${username})` }),
  findUserByMobile: (q: DbOrTx, mobile: string) => q.query.users.findFirst({ where: eq(users.mobile, mobile) }),
  findUserByEmail: (q: DbOrTx, email: string) => q.query.users.findFirst({ where: sql`lower(${users.email}) = lower(${email})` }),
  findUserById: (q: DbOrTx, id: string) => q.query.users.findFirst({ where: eq(users.id, id) }),
  listUsernames: (q: DbOrTx, ids: string[]) => q.select({ id: users.id, username: users.username }).from(users).where(inArray(users.id, ids)),

  /** Serialises the demo seed across nodes starting at once (held until the transaction ends). */
  lockDemoSeed: (tx: Tx) => tx.execute(sql`select pg_advisory_xact_lock(7264338002)`),

  async insertUser(q: DbOrTx, values: typeof users.$inferInsert) {
    const [row] = await q.insert(users).values(values).returning();
    return row!;
  },

  async updateUser(q: DbOrTx, userId: string, set: Partial<typeof users.$inferInsert>) {
    const [row] = await q.update(users).set(set).where(eq(users.id, userId)).returning();
    return row;
  },

  setPassword: (q: DbOrTx, userId: string, passwordHash: string, at: Date) =>
    q.update(users).set({ passwordHash, passwordChangedAt: at }).where(eq(users.id, userId)),

  async insertCode(q: DbOrTx, values: typeof verificationCodes.$inferInsert) {
    const [row] = await q.insert(verificationCodes).values(values).returning({ id: verificationCodes.id });
    return row!;
  },

  /** The newest code for a target, locked so two concurrent tries are counted one after the other. */
  async lockLatestCode(q: DbOrTx, purpose: CodePurpose, channel: 'sms' | 'email', target: string) {
    const [row] = await q
      .select()
      .from(verificationCodes)
      .where(and(eq(verificationCodes.purpose, purpose), eq(verificationCodes.channel, channel), eq(verificationCodes.target, target)))
      .orderBy(desc(verificationCodes.createdAt))
      .limit(1)
      .for('update');
    return row;
  },

  updateCode: (q: DbOrTx, id: string, set: Partial<typeof verificationCodes.$inferInsert>) =>
    q.update(verificationCodes).set(set).where(eq(verificationCodes.id, id)),

  async insertSession(q: DbOrTx, values: typeof sessions.$inferInsert) {
    const [row] = await q.insert(sessions).values(values).returning();
    return row!;
  },
  /** A session with its user, one round trip (every signed-in request starts here). */
  async findSessionWithUser(q: DbOrTx, id: string) {
    const [row] = await q.select({ session: sessions, user: users }).from(sessions).innerJoin(users, eq(users.id, sessions.userId)).where(eq(sessions.id, id));
    return row;
  },
  /** Many sessions with their users in one query (hot routes' grouped reads). */
  findSessionsWithUsers: (q: DbOrTx, ids: string[]) =>
    q.select({ session: sessions, user: users }).from(sessions).innerJoin(users, eq(users.id, sessions.userId)).where(inArray(sessions.id, ids)),
  /** The ids still there (a session signed out meanwhile is not). */
  touchSessions: async (q: DbOrTx, ids: string[], at: Date) =>
    (await q.update(sessions).set({ lastSeenAt: at }).where(inArray(sessions.id, ids)).returning({ id: sessions.id })).map((r) => r.id),
  deleteSessions: (q: DbOrTx, ids: string[]) => q.delete(sessions).where(inArray(sessions.id, ids)),
  touchSession: (q: DbOrTx, id: string, at: Date) => q.update(sessions).set({ lastSeenAt: at }).where(eq(sessions.id, id)),
  deleteSession: (q: DbOrTx, id: string) => q.delete(sessions).where(eq(sessions.id, id)),
  deleteUserSessions: (q: DbOrTx, userId: string, exceptId?: string) =>
    q.delete(sessions).where(exceptId ? and(eq(sessions.userId, userId), ne(sessions.id, exceptId)) : eq(sessions.userId, userId)),
  setActiveOrganisation: (q: DbOrTx, sessionId: string, organisationId: string) =>
    q.update(sessions).set({ activeOrganisationId: organisationId }).where(eq(sessions.id, sessionId)),
};
