/** Reads the operator lists' query string: empty filters are left out so the schema's defaults apply. */
export function adminQuery(url: URL, keys: ('q' | 'status' | 'kind')[]) {
  const out: Record<string, string | number> = { page: Math.max(1, Number(url.searchParams.get('page')) || 1), pageSize: 20 };
  for (const k of keys) {
    const v = url.searchParams.get(k)?.trim();
    if (v) out[k] = v;
  }
  return out;
}
