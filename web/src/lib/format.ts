/** 2026-03-01 14:05 and 2026-03-01 in Beijing time, whatever the browser's zone (one module for core and web). */
export { formatDate, formatDateTime } from '$core/shared/time';

/** 138****8000 */
export const maskMobile = (m: string | null | undefined) => (m && m.length >= 11 ? `${m.slice(0, 3)}****${m.slice(7)}` : (m ?? ''));

/** Only same-site paths may be redirected to, read the way a browser reads them (see core/shared/safe-redirect). */
export { safeRedirect } from '$core/shared/safe-redirect';
