import { and, desc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { legalDocuments } from '../../db/schema';
import type { LegalKind } from './legal.schema';

export type LegalDocumentRow = typeof legalDocuments.$inferSelect;

/** SQL of the legal context: published versions of 用户协议 and 隐私政策 (rows are only ever added). */
export const legalRepo = {
  async findLatest(q: DbOrTx, kind: LegalKind): Promise<LegalDocumentRow | undefined> {
    const [row] = await q.select().from(legalDocuments).where(eq(legalDocuments.kind, kind)).orderBy(desc(legalDocuments.version)).limit(1);
    return row;
  },

  async findVersion(q: DbOrTx, kind: LegalKind, version: number): Promise<LegalDocumentRow | undefined> {
    const [row] = await q
      .select()
      .from(legalDocuments)
      .where(and(eq(legalDocuments.kind, kind), eq(legalDocuments.version, version)));
    return row;
  },

  /** Every version of one document, newest first, without the text. */
  listVersions: (q: DbOrTx, kind: LegalKind) =>
    q
      .select({ version: legalDocuments.version, title: legalDocuments.title, publishedAt: legalDocuments.publishedAt })
      .from(legalDocuments)
      .where(eq(legalDocuments.kind, kind))
      .orderBy(desc(legalDocuments.version)),

  async insert(q: DbOrTx, values: typeof legalDocuments.$inferInsert): Promise<LegalDocumentRow> {
    const [row] = await q.insert(legalDocuments).values(values).returning();
    return row!;
  },
};
