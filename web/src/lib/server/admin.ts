import { pageFromQuery } from '$core/shared/paging';

/** Reads the operator lists' query string: empty filters are left out so the schema's defaults apply. */
export function adminQuery(url: URL, keys: ('q' | 'status' | 'kind')[]) {
  const out: Record<string, string | number> = { page: pageFromQuery(url.searchParams), pageSize: 20 };
  for (const k of keys) {
    const v = url.searchParams.get(k)?.trim();
    if (v) out[k] = v;
  }
  return out;
}
