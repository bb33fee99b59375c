import { and, eq, inArray, isNull, or } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { files } from '../../db/schema';

/** SQL of stored files (bytes in the database, attached to one subject of one purpose at a time). */
export const filesRepo = {
  async insertFile(q: DbOrTx, values: typeof files.$inferInsert) {
    const [row] = await q
      .insert(files)
      .values(values)
      .returning({ id: files.id, filename: files.filename, contentType: files.contentType, sizeBytes: files.sizeBytes });
    return row!;
  },

  /** Who owns each file and where it is attached. */
  listAttachments: (q: DbOrTx, ids: string[]) =>
    q
      .select({
        id: files.id,
        organisationId: files.organisationId,
        uploadedBy: files.uploadedBy,
        purpose: files.purpose,
        subjectId: files.subjectId,
        contentType: files.contentType,
      })
      .from(files)
      .where(inArray(files.id, ids)),

  /**
   * Attaches the owner's files among `ids` that are free (or already on this subject) to the subject;
   * returns the ids attached (fewer than asked: another attach took one first).
   */
  attach: (q: DbOrTx, ids: string[], owner: { organisationId: string | null; userId?: string }, purpose: string, subjectId: string) =>
    q
      .update(files)
      .set({ purpose, subjectId })
      .where(
        and(
          inArray(files.id, ids),
          or(
            owner.organisationId === null ? undefined : eq(files.organisationId, owner.organisationId),
            owner.userId === undefined ? undefined : and(isNull(files.organisationId), eq(files.uploadedBy, owner.userId)),
          ) ?? isNull(files.id),
          or(isNull(files.subjectId), and(eq(files.purpose, purpose), eq(files.subjectId, subjectId))),
        ),
      )
      .returning({ id: files.id }),

  /** Metadata of the files attached to any of the subjects, oldest first. */
  listAttached: (q: DbOrTx, purpose: string, subjectIds: string[]) =>
    q
      .select({ id: files.id, filename: files.filename, contentType: files.contentType, sizeBytes: files.sizeBytes, subjectId: files.subjectId })
      .from(files)
      .where(and(eq(files.purpose, purpose), inArray(files.subjectId, subjectIds)))
      .orderBy(files.createdAt),

  listAttachedIds: (q: DbOrTx, purpose: string, subjectId: string) =>
    q
      .select({ id: files.id })
      .from(files)
      .where(and(eq(files.purpose, purpose), eq(files.subjectId, subjectId))),

  detach: (q: DbOrTx, ids: string[]) => q.update(files).set({ purpose: null, subjectId: null }).where(inArray(files.id, ids)),

  async findFile(q: DbOrTx, id: string) {
    const [row] = await q.select().from(files).where(eq(files.id, id));
    return row;
  },
};
