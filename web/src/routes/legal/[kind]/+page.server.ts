import { error } from '@sveltejs/kit';
import { orError } from '$lib/server/session';
import type { PageServerLoad } from './$types';

/** /legal/terms and /legal/privacy: the latest version, or `?version=N`. */
export const load: PageServerLoad = async ({ locals, params, url }) => {
  if (params.kind !== 'terms' && params.kind !== 'privacy') error(404, '页面不存在');
  const kind = params.kind;
  const [doc, versions] = await orError(() =>
    Promise.all([locals.services.legal.read(kind, { version: url.searchParams.get('version') ?? undefined }), locals.services.legal.versions(kind)]),
  );
  return { doc, versions, latestVersion: versions[0]?.version ?? doc.version };
};
