import { isCleanText } from './validate';

/**
 * True when a page request carries text no page may read: broken percent-encoding in its path,
 * NUL or other control characters or lone surrogates in its path, its query or (for form posts)
 * its form fields. Uploaded files are not looked at. The body is read from a clone.
 */
export async function hasUncleanInput(request: Request, url: URL): Promise<boolean> {
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return true;
  }
  if (!isCleanText(path)) return true;
  for (const [k, v] of url.searchParams) if (!isCleanText(k) || !isCleanText(v)) return true;
  const type = request.headers.get('content-type') ?? '';
  if (request.method === 'POST' && /^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) {
    let form: FormData;
    try {
      form = await request.clone().formData();
    } catch {
      return true;
    }
    for (const [k, v] of form) if (!isCleanText(k) || (typeof v === 'string' && !isCleanText(v, { multiline: true }))) return true;
  }
  return false;
}
