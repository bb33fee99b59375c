import { error } from '@sveltejs/kit';
import { isAppError, toErrorBody } from '$core/shared/app-error';
import { pageFromQuery } from '$core/shared/paging';

const KEYS = ['from', 'to', 'action', 'actor', 'organisation', 'organisationId', 'targetType', 'targetId'] as const;

/** The audit filters from the query string; empty ones are left out so the schema's defaults apply. */
export function auditQuery(url: URL) {
  const out: Record<string, string | number> = { page: pageFromQuery(url.searchParams), pageSize: 20 };
  for (const k of KEYS) {
    const v = url.searchParams.get(k)?.trim();
    if (v) out[k] = v;
  }
  return out;
}

type Search = (query: Record<string, string | number>) => Promise<{ items: unknown[]; total: number; page: number; pageSize: number }>;

/**
 * Loads one page of the trail. Bad filters come back as field messages beside an empty result
 * (the page stays usable); being refused access is the error page.
 */
export async function loadAuditPage<S extends Search>(url: URL, search: S) {
  const query = auditQuery(url);
  try {
    return { query, result: (await search(query)) as Awaited<ReturnType<S>>, fields: {} as Record<string, string> };
  } catch (e) {
    if (!isAppError(e)) throw e;
    if (e.code !== 'VALIDATION') error(e.status, e.message);
    const { body } = toErrorBody(e);
    const empty = { items: [], total: 0, page: 1, pageSize: 20 } as unknown as Awaited<ReturnType<S>>;
    return { query, result: empty, fields: (body.fields ?? { _: body.message }) as Record<string, string> };
  }
}

/** An export as a download; bad filters or too many rows say why (400), refusals keep their status. */
export async function auditDownload(run: () => Promise<{ filename: string; contentType: string; bytes: Uint8Array }>) {
  try {
    const file = await run();
    return new Response(file.bytes as unknown as BodyInit, {
      headers: {
        'content-type': file.contentType,
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
        'cache-control': 'private, no-store',
      },
    });
  } catch (e) {
    if (isAppError(e)) error(e.status, e.message);
    throw e;
  }
}
