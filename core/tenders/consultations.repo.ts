import { and, count, desc, eq, inArray, isNull, ne, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { consultationMessages, consultations, organisations, requirements } from '../../db/schema';
import type { ConsultationMessageRow, ConsultationRow } from '../../db/schema';

/** drizzle queries of pre-sales consultations (咨询) and their messages; no rules here. */

type ListPage = { page: number; pageSize: number };
export type { ConsultationMessageRow, ConsultationRow };

/** The organisation a consultation is opened with (its kind and status are checked by the caller). */
export async function findOrganisation(q: DbOrTx, id: string) {
  const [row] = await q
    .select({ id: organisations.id, kind: organisations.kind, status: organisations.status, fullName: organisations.fullName })
    .from(organisations)
    .where(eq(organisations.id, id));
  return row;
}

/** The names of the given organisations, by id. */
export async function organisationNames(q: DbOrTx, ids: string[]) {
  if (!ids.length) return new Map<string, string>();
  const rows = await q
    .select({ id: organisations.id, fullName: organisations.fullName })
    .from(organisations)
    .where(inArray(organisations.id, [...new Set(ids)]));
  return new Map(rows.map((r) => [r.id, r.fullName]));
}

/** Inserts the pair's consultation unless it exists (the unique pair decides under concurrency); then reads it. */
export async function openConsultation(
  q: DbOrTx,
  values: { enterpriseId: string; providerId: string; openedBy: string },
): Promise<{ row: ConsultationRow; created: boolean }> {
  const [inserted] = await q.insert(consultations).values(values).onConflictDoNothing().returning();
  if (inserted) return { row: inserted, created: true };
  const [row] = await q
    .select()
    .from(consultations)
    .where(and(eq(consultations.enterpriseId, values.enterpriseId), eq(consultations.providerId, values.providerId)));
  return { row: row!, created: false };
}

export async function findConsultation(q: DbOrTx, id: string): Promise<ConsultationRow | undefined> {
  const [row] = await q.select().from(consultations).where(eq(consultations.id, id));
  return row;
}

export async function touchConsultation(q: DbOrTx, id: string, at: Date) {
  await q.update(consultations).set({ lastMessageAt: at }).where(eq(consultations.id, id));
}

/** One page of an organisation's consultations (either side), the newest conversation first, each with its unread count for that organisation. */
export async function consultationsOf(q: DbOrTx, orgId: string, page: ListPage) {
  const where = or(eq(consultations.enterpriseId, orgId), eq(consultations.providerId, orgId));
  // Qualified by hand: drizzle writes a one-table query's columns unqualified, which the subquery would read as its own.
  const outerId = sql.raw('"consultations"."id"');
  const unread = sql<number>`(select count(*)::int from ${consultationMessages} m where m.consultation_id = ${outerId} and m.sender_org_id <> ${orgId} and m.read_at is null)`;
  const last = sql<
    string | null
  >`(select m.body from ${consultationMessages} m where m.consultation_id = ${outerId} order by m.created_at desc, m.id desc limit 1)`;
  const [rows, [total], [unreadTotal]] = await Promise.all([
    q
      .select({ c: consultations, unread, last })
      .from(consultations)
      .where(where)
      .orderBy(sql`coalesce(${consultations.lastMessageAt}, ${consultations.createdAt}) desc`, desc(consultations.id))
      .limit(page.pageSize)
      .offset((page.page - 1) * page.pageSize),
    q.select({ n: count() }).from(consultations).where(where),
    q
      .select({ n: count() })
      .from(consultationMessages)
      .innerJoin(consultations, eq(consultations.id, consultationMessages.consultationId))
      .where(and(where, ne(consultationMessages.senderOrgId, orgId), isNull(consultationMessages.readAt))),
  ]);
  return {
    rows: rows.map((r) => ({ ...r.c, unreadCount: Number(r.unread), lastMessage: r.last })),
    total: Number(total?.n ?? 0),
    unreadTotal: Number(unreadTotal?.n ?? 0),
  };
}

/** The sender's message with this client id (a resent message). */
export async function findMessageByClientId(q: DbOrTx, senderUserId: string, clientId: string): Promise<ConsultationMessageRow | undefined> {
  const [row] = await q
    .select()
    .from(consultationMessages)
    .where(and(eq(consultationMessages.senderUserId, senderUserId), eq(consultationMessages.clientId, clientId)));
  return row;
}

/** Inserts a message; undefined when the sender already stored one with this client id (a racing resend). */
export async function insertMessage(q: DbOrTx, values: typeof consultationMessages.$inferInsert): Promise<ConsultationMessageRow | undefined> {
  const [row] = await q.insert(consultationMessages).values(values).onConflictDoNothing().returning();
  return row;
}

/** One page of a conversation counted from the newest message (newest first), and the total. */
export async function messagePage(q: DbOrTx, consultationId: string, page: ListPage) {
  const where = eq(consultationMessages.consultationId, consultationId);
  const [rows, [total]] = await Promise.all([
    q
      .select()
      .from(consultationMessages)
      .where(where)
      .orderBy(desc(consultationMessages.createdAt), desc(consultationMessages.id))
      .limit(page.pageSize)
      .offset((page.page - 1) * page.pageSize),
    q.select({ n: count() }).from(consultationMessages).where(where),
  ]);
  return { rows, total: Number(total?.n ?? 0) };
}

/** The titles of the requirements system lines link to, by id. */
export async function requirementTitles(q: DbOrTx, ids: string[]) {
  if (!ids.length) return new Map<string, string>();
  const rows = await q
    .select({ id: requirements.id, title: requirements.title })
    .from(requirements)
    .where(inArray(requirements.id, [...new Set(ids)]));
  return new Map(rows.map((r) => [r.id, r.title]));
}

/**
 * Marks messages from the other side delivered or read (read implies delivered); all unread ones when
 * `messageIds` is undefined (opening the conversation). Returns the ids that changed.
 */
export async function markMessages(
  q: DbOrTx,
  p: { consultationId: string; readerOrgId: string; kind: 'delivered' | 'read'; now: Date; messageIds?: string[] },
): Promise<string[]> {
  const col = p.kind === 'delivered' ? consultationMessages.deliveredAt : consultationMessages.readAt;
  const rows = await q
    .update(consultationMessages)
    .set(
      p.kind === 'delivered'
        ? { deliveredAt: p.now }
        : { readAt: p.now, deliveredAt: sql`coalesce(${consultationMessages.deliveredAt}, ${p.now.toISOString()}::timestamptz)` },
    )
    .where(
      and(
        eq(consultationMessages.consultationId, p.consultationId),
        p.messageIds ? inArray(consultationMessages.id, p.messageIds) : undefined,
        ne(consultationMessages.senderOrgId, p.readerOrgId),
        isNull(col),
      ),
    )
    .returning({ id: consultationMessages.id });
  return rows.map((r) => r.id);
}
