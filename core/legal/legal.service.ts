import type { Db, DbOrTx } from '../../db/client';
import { recordAudit } from '../audit/audit';
import { requireOperator, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { parseInput } from '../shared/validate';
import { LEGAL_TEMPLATE_DATE, LEGAL_TEMPLATES, LEGAL_TITLES, nextLegalVersion } from './legal.machine';
import { legalRepo as repo, type LegalDocumentRow } from './legal.repo';
import { LegalKind, LegalVersionQuery, PublishLegalInput, type LegalDocumentView, type LegalVersionsView } from './legal.schema';

export interface LegalDeps {
  db: Db;
  clock: Clock;
}

const template = (kind: LegalKind): LegalDocumentView => ({
  kind,
  version: 1,
  title: LEGAL_TITLES[kind],
  body: LEGAL_TEMPLATES[kind],
  publishedAt: LEGAL_TEMPLATE_DATE.toISOString(),
  template: true,
});

const view = (r: LegalDocumentRow): LegalDocumentView => ({
  kind: r.kind,
  version: r.version,
  title: r.title,
  body: r.body,
  publishedAt: r.publishedAt.toISOString(),
  template: false,
});

const isUniqueViolation = (e: unknown) => {
  const err = e as { code?: string; cause?: { code?: string } };
  return err?.code === '23505' || err?.cause?.code === '23505';
};

/**
 * 用户协议 and 隐私政策: public reading (latest or any version), operators publish new versions.
 * Until an operator publishes, version 1 is the built-in template (LEGAL_TEMPLATES).
 */
export function createLegalService({ db, clock }: LegalDeps) {
  async function latest(kind: LegalKind, q: DbOrTx = db): Promise<LegalDocumentView> {
    const row = await repo.findLatest(q, kind);
    return row ? view(row) : template(kind);
  }

  return {
    latest,

    /** The document at `?version=N` (the latest without it). Errors: VALIDATION, LEGAL_VERSION_NOT_FOUND. */
    async read(rawKind: unknown, rawQuery: unknown = {}): Promise<LegalDocumentView> {
      const kind = parseInput(LegalKind, rawKind);
      const { version } = parseInput(LegalVersionQuery, rawQuery);
      if (version === undefined) return latest(kind);
      const row = await repo.findVersion(db, kind, version);
      if (row) return view(row);
      if (version === 1) return template(kind);
      throw new AppError('LEGAL_VERSION_NOT_FOUND', `${LEGAL_TITLES[kind]}没有第 ${version} 版`, { version: `${LEGAL_TITLES[kind]}没有第 ${version} 版` });
    },

    /** The versions a registration agrees to now (read inside the registration's transaction). */
    async currentVersions(q: DbOrTx = db): Promise<LegalVersionsView> {
      const [terms, privacy] = [await repo.findLatest(q, 'terms'), await repo.findLatest(q, 'privacy')];
      return { terms: terms?.version ?? 1, privacy: privacy?.version ?? 1 };
    },

    /** Every version of a document, newest first (the template as version 1 while it is not stored). */
    async versions(rawKind: unknown): Promise<{ version: number; title: string; publishedAt: string }[]> {
      const kind = parseInput(LegalKind, rawKind);
      const rows = await repo.listVersions(db, kind);
      const list = rows.map((r) => ({ version: r.version, title: r.title, publishedAt: r.publishedAt.toISOString() }));
      return rows.length ? list : [{ version: 1, title: LEGAL_TITLES[kind], publishedAt: LEGAL_TEMPLATE_DATE.toISOString() }];
    },

    /**
     * Operators publish a new version (previous + 1); earlier versions stay readable. The first publish
     * stores the template as version 1 first. Audited as `legal.publish`.
     * Errors: FORBIDDEN/UNAUTHENTICATED (not an operator), VALIDATION, CONFLICT (another publish won the number).
     */
    async publish(actor: Actor | null, raw: unknown): Promise<LegalDocumentView> {
      const a = requireOperator(actor);
      const input = parseInput(PublishLegalInput, raw);
      const now = clock.now();
      return db
        .transaction(async (tx) => {
          const previous = await repo.findLatest(tx, input.kind);
          if (!previous) {
            const t = template(input.kind);
            await repo.insert(tx, { kind: input.kind, version: 1, title: t.title, body: t.body, publishedAt: LEGAL_TEMPLATE_DATE });
          }
          const row = await repo.insert(tx, {
            kind: input.kind,
            version: nextLegalVersion(previous?.version),
            title: input.title,
            body: input.body,
            publishedAt: now,
            publishedBy: a.userId,
          });
          await recordAudit(tx, {
            actorUserId: a.userId,
            action: 'legal.publish',
            targetType: 'legal_document',
            targetId: row.id,
            before: { kind: input.kind, version: previous?.version ?? 1 },
            after: { kind: input.kind, version: row.version, title: row.title },
          });
          return view(row);
        })
        .catch((e: unknown) => {
          if (isUniqueViolation(e)) throw new AppError('CONFLICT', '刚有人发布了新版本，请刷新后再发布', { body: '刚有人发布了新版本，请刷新后再发布' });
          throw e;
        });
    },
  };
}
export type LegalService = ReturnType<typeof createLegalService>;
