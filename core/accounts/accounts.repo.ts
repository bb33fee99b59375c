import { and, desc, eq, ne, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { memberships, organisations, sessions, users, verificationCodes } from '../../db/schema';

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;

export const accountsRepo = {
  findUserByUsername: (q: DbOrTx, username: string) =>
    q.query.users.findFirst({ where: sql`lower(${users.username}) = lower(${username})` }),
  findUserByMobile: (q: DbOrTx, mobile: string) => q.query.users.findFirst({ where: eq(users.mobile, mobile) }),
  findUserByEmail: (q: DbOrTx, email: string) =>
    q.query.users.findFirst({ where: sql`lower(${users.email}) = lower(${email})` }),
  findUserById: (q: DbOrTx, id: string) => q.query.users.findFirst({ where: eq(users.id, id) }),

  async insertUser(q: DbOrTx, values: typeof users.$inferInsert) {
    const [row] = await q.insert(users).values(values).returning();
    return row!;
  },

  setPassword: (q: DbOrTx, userId: string, passwordHash: string, at: Date) =>
    q.update(users).set({ passwordHash, passwordChangedAt: at }).where(eq(users.id, userId)),

  async insertCode(q: DbOrTx, values: typeof verificationCodes.$inferInsert) {
    const [row] = await q.insert(verificationCodes).values(values).returning({ id: verificationCodes.id });
    return row!;
  },

  /** The newest code for a target, locked so two concurrent tries are counted one after the other. */
  async lockLatestCode(q: DbOrTx, purpose: 'register' | 'reset_password', channel: 'sms' | 'email', target: string) {
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
  findSession: (q: DbOrTx, id: string) => q.query.sessions.findFirst({ where: eq(sessions.id, id) }),
  touchSession: (q: DbOrTx, id: string, at: Date) => q.update(sessions).set({ lastSeenAt: at }).where(eq(sessions.id, id)),
  deleteSession: (q: DbOrTx, id: string) => q.delete(sessions).where(eq(sessions.id, id)),
  deleteUserSessions: (q: DbOrTx, userId: string, exceptId?: string) =>
    q.delete(sessions).where(exceptId ? and(eq(sessions.userId, userId), ne(sessions.id, exceptId)) : eq(sessions.userId, userId)),
  setActiveOrganisation: (q: DbOrTx, sessionId: string, organisationId: string) =>
    q.update(sessions).set({ activeOrganisationId: organisationId }).where(eq(sessions.id, sessionId)),

  /** The user's organisations with their role, oldest membership first. */
  listMemberships: (q: DbOrTx, userId: string) =>
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
};
