/**
 * Time as people on the platform read and type it: Beijing time (Asia/Shanghai, UTC+8 all year, no
 * daylight saving), whatever the zone of the server or the browser. Instants are stored in UTC; only
 * the edges (formatting, a day's bounds, a typed local datetime) know about the zone. Shared by core
 * and web.
 */

export const SHANGHAI_TZ = 'Asia/Shanghai';
/** China has had no daylight saving since 1991, so the offset is a constant. */
const OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

type When = Date | string | number;
const toDate = (d: When) => (d instanceof Date ? d : new Date(d));
/** The instant moved by +8 h, so its UTC fields read as Beijing wall-clock time. */
const wall = (d: When) => new Date(toDate(d).getTime() + OFFSET_MS).toISOString();

/** The Beijing calendar date of an instant, YYYY-MM-DD. */
export const shanghaiDate = (d: When = Date.now()) => wall(d).slice(0, 10);

/** 2026-12-10 10:00 — for notes and texts people read (the same reading as formatDateTime). */
export const shanghaiMinute = (d: When) => wall(d).slice(0, 16).replace('T', ' ');

/** The value of an `<input type="datetime-local">` showing an instant in Beijing time: 2026-12-10T10:00. */
export const shanghaiLocalInput = (d: When = Date.now()) => wall(d).slice(0, 16);

/** 20261210 — the date part of document numbers. */
export const shanghaiDateCompact = (d: When = Date.now()) => shanghaiDate(d).replaceAll('-', '');

/** 00:00 Beijing time of a YYYY-MM-DD day. */
export const startOfShanghaiDay = (day: string) => new Date(`${day}T00:00:00+08:00`);

/** 00:00 Beijing time of the day after: the exclusive end of the day. */
export const endOfShanghaiDay = (day: string) => new Date(startOfShanghaiDay(day).getTime() + DAY_MS);

/** The instants [from 00:00, to + 1 day 00:00) of an inclusive range of Beijing days. */
export const shanghaiDayRange = (from: string, to: string) => ({ start: startOfShanghaiDay(from), end: endOfShanghaiDay(to) });

/** A YYYY-MM-DD day `n` days after another (negative n goes back). */
export const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/**
 * "2026-03-01T14:05" (or with seconds) typed in Beijing time → ISO 8601 with its offset; anything
 * else is returned as given, for the schema to refuse; empty → undefined.
 */
export function shanghaiLocalToIso(v: string | null | undefined): string | undefined {
  const s = v?.trim();
  if (!s) return undefined;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(s)) return `${s}:00+08:00`;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(s)) return `${s}+08:00`;
  return s;
}

const monthDayFmt = new Intl.DateTimeFormat('zh-CN', { timeZone: SHANGHAI_TZ, month: 'long', day: 'numeric' });

type Maybe = When | null | undefined;
/** A dash for nothing and for what is not a date; otherwise the formatter's reading of the instant. */
const orDash = (f: (d: Date) => string) => (d: Maybe) => {
  if (d === null || d === undefined || d === '') return '—';
  const x = toDate(d);
  return Number.isNaN(x.getTime()) ? '—' : f(x);
};

/**
 * The one way dates are shown to people, in pages, PDFs, spreadsheets and texts: 2026-03-01 14:05
 * (Beijing time, 24-hour clock, no seconds).
 */
export const formatDateTime = orDash((d) => wall(d).slice(0, 16).replace('T', ' '));
/** 2026-03-01 — a day (Beijing calendar). A YYYY-MM-DD string is shown as is. */
export const formatDate = (d: Maybe) => (typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d) ? d : orDash((x) => wall(x).slice(0, 10))(d));
/** 2026-03-01 14:05:09 — exports, statements and records where seconds matter. */
export const formatDateTimeSeconds = orDash((d) => wall(d).slice(0, 19).replace('T', ' '));
/** 14:05:09; with `withDay`, 03-01 14:05. */
export const formatClock = (d: Maybe, withDay = false) => orDash((x) => (withDay ? wall(x).slice(5, 16).replace('T', ' ') : wall(x).slice(11, 19)))(d);
/** 3月1日 — day separators in chats. */
export const formatMonthDay = orDash((d) => monthDayFmt.format(d));
/** 2026-03-01 – 2026-03-31; an open end shows as 起 / 止. */
export const formatDateRange = (from: Maybe, to: Maybe) => {
  const f = from ? formatDate(from) : '';
  const t = to ? formatDate(to) : '';
  if (f && t) return `${f} – ${t}`;
  if (f) return `${f} 起`;
  if (t) return `${t} 止`;
  return '—';
};
