const BASE = 'http://same-origin.invalid';

/**
 * Where to send a browser after signing in or registering: a path on this site, or `fallback`.
 * The value is read the way a browser would read it before deciding: tabs and line breaks are
 * dropped anywhere (`/%09/evil.example` becomes `//evil.example`), leading and trailing control
 * characters and spaces are dropped, and backslashes count as slashes. What remains must be one
 * '/' followed by anything but a second '/' and must resolve on this origin. The answer is the
 * path, query and fragment as the URL parser writes them (percent-encoded), so a non-ASCII or
 * control character never reaches the Location header.
 */
export function safeRedirect(to: string | null | undefined, fallback = '/'): string {
  if (typeof to !== 'string' || !to) return fallback;
  const cleaned = to
    .replace(/[\t\n\r]/g, '')
    // eslint-disable-next-line no-control-regex
    .replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '')
    .replace(/\\/g, '/');
  if (!cleaned.startsWith('/') || cleaned.startsWith('//')) return fallback;
  let url: URL;
  try {
    url = new URL(cleaned.toWellFormed(), BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  const path = url.pathname + url.search + url.hash;
  return path.startsWith('/') && !path.startsWith('//') ? path : fallback;
}
