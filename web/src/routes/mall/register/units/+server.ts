import { json } from '@sveltejs/kit';
import { isAppError } from '$core/shared/app-error';
import type { RequestHandler } from './$types';

/** 单位查找 for the individual's forms: units by full name or keyword, at most 10. */
export const GET: RequestHandler = async ({ locals, url }) => {
  const q = url.searchParams.get('q') ?? '';
  try {
    return json({ items: await locals.services.units.searchUnits({ q }) });
  } catch (e) {
    if (isAppError(e)) return json({ error: e.toBody() }, { status: e.status });
    throw e;
  }
};
