import { and, count, desc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { invitations, negotiationMessages, organisations, proposals } from '../../db/schema';
import type { InvitationRow } from './tenders.repo';

/**
 * drizzle queries of invitations (邀标) and the negotiation threads (洽谈); no rules here. Functions
 * take the database or the caller's transaction first.
 */

export type NegotiationMessageRow = typeof negotiationMessages.$inferSelect;
type ListPage = { page: number; pageSize: number };

/** The organisation a provider is invited as (its kind and status are checked by the caller). */
export async function findOrganisation(q: DbOrTx, id: string) {
  const [row] = await q.select().from(organisations).where(eq(organisations.id, id));
  return row;
}

/** The invitation locked for a change. */
export async function lockInvitation(q: DbOrTx, id: string): Promise<InvitationRow | undefined> {
  const [row] = await q.select().from(invitations).where(eq(invitations.id, id)).for('update');
  return row;
}

/** Inserts an invitation; undefined when that provider was already invited to that requirement. */
export async function insertInvitation(q: DbOrTx, values: typeof invitations.$inferInsert): Promise<InvitationRow | undefined> {
  const [row] = await q.insert(invitations).values(values).onConflictDoNothing().returning();
  return row;
}

export async function updateInvitation(q: DbOrTx, id: string, patch: Partial<typeof invitations.$inferInsert>): Promise<InvitationRow> {
  const [row] = await q.update(invitations).set(patch).where(eq(invitations.id, id)).returning();
  return row!;
}

/** The provider's accepted invitation becomes selected; undefined when it has none. */
export async function selectInvitation(q: DbOrTx, requirementId: string, providerId: string, now: Date): Promise<InvitationRow | undefined> {
  const [row] = await q
    .update(invitations)
    .set({ status: 'selected', updatedAt: now })
    .where(and(eq(invitations.requirementId, requirementId), eq(invitations.providerId, providerId), eq(invitations.status, 'accepted')))
    .returning();
  return row;
}

/** Pending and accepted invitations become cancelled (all but `exceptProviderId`'s); returns their providers. */
export async function cancelOpenInvitations(q: DbOrTx, requirementId: string, now: Date, exceptProviderId?: string): Promise<string[]> {
  const rows = await q
    .update(invitations)
    .set({ status: 'cancelled', updatedAt: now })
    .where(
      and(
        eq(invitations.requirementId, requirementId),
        inArray(invitations.status, ['pending', 'accepted']),
        exceptProviderId ? sql`${invitations.providerId} <> ${exceptProviderId}` : undefined,
      ),
    )
    .returning({ providerId: invitations.providerId });
  return rows.map((r) => r.providerId);
}

/** A requirement's invitations, newest first. */
export async function invitationsOfRequirement(q: DbOrTx, requirementId: string): Promise<InvitationRow[]> {
  return q.select().from(invitations).where(eq(invitations.requirementId, requirementId)).orderBy(desc(invitations.createdAt));
}

/** One page of a provider's invitations, newest first, and the total. */
export async function invitationsOfProvider(q: DbOrTx, providerId: string, page: ListPage) {
  const where = eq(invitations.providerId, providerId);
  const [rows, [total]] = await Promise.all([
    q
      .select()
      .from(invitations)
      .where(where)
      .orderBy(desc(invitations.createdAt), desc(invitations.id))
      .limit(page.pageSize)
      .offset((page.page - 1) * page.pageSize),
    q.select({ n: count() }).from(invitations).where(where),
  ]);
  return { rows, total: Number(total?.n ?? 0) };
}

/** Whether the pair (requirement, provider) has a thread: an invitation (any status), else a proposal (any status). */
export async function hasThread(q: DbOrTx, requirementId: string, providerId: string): Promise<boolean> {
  const [inv] = await q
    .select({ id: invitations.id })
    .from(invitations)
    .where(and(eq(invitations.requirementId, requirementId), eq(invitations.providerId, providerId)));
  if (inv) return true;
  const [bid] = await q
    .select({ id: proposals.id })
    .from(proposals)
    .where(and(eq(proposals.requirementId, requirementId), eq(proposals.providerId, providerId)));
  return Boolean(bid);
}

// ── Negotiation threads ─────────────────────────────────────────────────────────────────────────

/** The sender's message with this client id (a resent message). */
export async function findMessageByClientId(q: DbOrTx, senderUserId: string, clientId: string): Promise<NegotiationMessageRow | undefined> {
  const [row] = await q
    .select()
    .from(negotiationMessages)
    .where(and(eq(negotiationMessages.senderUserId, senderUserId), eq(negotiationMessages.clientId, clientId)));
  return row;
}

export async function insertMessage(q: DbOrTx, values: typeof negotiationMessages.$inferInsert): Promise<NegotiationMessageRow> {
  const [row] = await q.insert(negotiationMessages).values(values).returning();
  return row!;
}

export async function findMessage(q: DbOrTx, id: string): Promise<NegotiationMessageRow | undefined> {
  const [row] = await q.select().from(negotiationMessages).where(eq(negotiationMessages.id, id));
  return row;
}

const threadOf = (requirementId: string, providerId: string) =>
  and(eq(negotiationMessages.requirementId, requirementId), eq(negotiationMessages.providerId, providerId));

/** Marks every unread message of the thread from the other side read; returns the ids that changed. */
export async function markThreadRead(q: DbOrTx, p: { requirementId: string; providerId: string; readerOrgId: string; now: Date }): Promise<string[]> {
  const rows = await q
    .update(negotiationMessages)
    .set({ readAt: p.now })
    .where(and(threadOf(p.requirementId, p.providerId), ne(negotiationMessages.senderOrgId, p.readerOrgId), isNull(negotiationMessages.readAt)))
    .returning({ id: negotiationMessages.id });
  return rows.map((r) => r.id);
}

/** One page of a thread counted from the newest message (newest first), and the total. */
export async function threadPage(q: DbOrTx, requirementId: string, providerId: string, page: ListPage) {
  const where = threadOf(requirementId, providerId);
  const [rows, [total]] = await Promise.all([
    q
      .select()
      .from(negotiationMessages)
      .where(where)
      .orderBy(desc(negotiationMessages.createdAt), desc(negotiationMessages.id))
      .limit(page.pageSize)
      .offset((page.page - 1) * page.pageSize),
    q.select({ n: count() }).from(negotiationMessages).where(where),
  ]);
  return { rows, total: Number(total?.n ?? 0) };
}

/**
 * Marks the given messages of a thread from the other side delivered or read (read implies
 * delivered); returns the ids that changed.
 */
export async function markThreadMessages(
  q: DbOrTx,
  p: { requirementId: string; providerId: string; messageIds: string[]; readerOrgId: string; kind: 'delivered' | 'read'; now: Date },
): Promise<string[]> {
  const col = p.kind === 'delivered' ? negotiationMessages.deliveredAt : negotiationMessages.readAt;
  const rows = await q
    .update(negotiationMessages)
    .set(
      p.kind === 'delivered'
        ? { deliveredAt: p.now }
        : { readAt: p.now, deliveredAt: sql`coalesce(${negotiationMessages.deliveredAt}, ${p.now.toISOString()}::timestamptz)` },
    )
    .where(
      and(
        threadOf(p.requirementId, p.providerId),
        inArray(negotiationMessages.id, p.messageIds),
        ne(negotiationMessages.senderOrgId, p.readerOrgId),
        isNull(col),
      ),
    )
    .returning({ id: negotiationMessages.id });
  return rows.map((r) => r.id);
}
