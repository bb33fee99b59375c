const dateTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
const dateOnly = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

/** 2026/03/01 14:05 in Asia/Shanghai, whatever the browser's zone. */
export const formatDateTime = (d: Date | string | null | undefined) => (d ? dateTime.format(new Date(d)) : '—');
export const formatDate = (d: Date | string | null | undefined) => (d ? dateOnly.format(new Date(d)) : '—');

/** 138****8000 */
export const maskMobile = (m: string | null | undefined) => (m && m.length >= 11 ? `${m.slice(0, 3)}****${m.slice(7)}` : (m ?? ''));

/** Only same-site paths may be redirected to, read the way a browser reads them (see core/shared/safe-redirect). */
export { safeRedirect } from '$core/shared/safe-redirect';
