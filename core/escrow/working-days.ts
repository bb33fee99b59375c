import { shanghaiDate } from '../shared/time';

/**
 * Working days in mainland China (Asia/Shanghai): Monday to Friday, minus public holidays, plus the
 * weekend days made working days to compensate (调休). The calendar is an operator setting
 * (console › 参数设置); the defaults below are a starting point that operators keep current each year
 * when the State Council publishes the next year's arrangement.
 */
export interface WorkCalendar {
  /** YYYY-MM-DD dates that are days off although they fall on a weekday. */
  holidays: string[];
  /** YYYY-MM-DD weekend dates that are working days (调休上班). */
  workdays: string[];
}

export const DEFAULT_CALENDAR: WorkCalendar = {
  holidays: [
    // 2026
    '2026-01-01',
    '2026-01-02',
    '2026-02-16',
    '2026-02-17',
    '2026-02-18',
    '2026-02-19',
    '2026-02-20',
    '2026-02-23',
    '2026-04-06',
    '2026-05-01',
    '2026-05-04',
    '2026-05-05',
    '2026-06-19',
    '2026-09-25',
    '2026-10-01',
    '2026-10-02',
    '2026-10-05',
    '2026-10-06',
    '2026-10-07',
    // 2027
    '2027-01-01',
    '2027-02-05',
    '2027-02-08',
    '2027-02-09',
    '2027-02-10',
    '2027-02-11',
    '2027-04-05',
    '2027-05-03',
    '2027-05-04',
    '2027-05-05',
    '2027-06-09',
    '2027-09-15',
    '2027-10-01',
    '2027-10-04',
    '2027-10-05',
    '2027-10-06',
    '2027-10-07',
  ],
  workdays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10', '2027-02-20', '2027-09-26', '2027-10-09'],
};

const DAY_MS = 86_400_000;

/** The Shanghai calendar date of an instant, YYYY-MM-DD. */
export const shanghaiDay = (d: Date) => shanghaiDate(d);

export function isWorkingDay(day: string, cal: WorkCalendar): boolean {
  if (cal.workdays.includes(day)) return true;
  if (cal.holidays.includes(day)) return false;
  const dow = new Date(`${day}T00:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6;
}

/**
 * The instant `n` working days after `from`: the same Shanghai time of day on the n-th working day
 * after from's date (a delivery on Friday 15:00 with n = 5 is due the next Friday 15:00, a holiday
 * week later if one falls in between). n ≥ 1.
 */
export function addWorkingDays(from: Date, n: number, cal: WorkCalendar): Date {
  let t = from.getTime();
  let left = n;
  while (left > 0) {
    t += DAY_MS;
    if (isWorkingDay(shanghaiDay(new Date(t)), cal)) left--;
  }
  return new Date(t);
}

/** Working days strictly after `from`'s date up to and including `to`'s date (0 when to ≤ from). */
export function workingDaysBetween(from: Date, to: Date, cal: WorkCalendar): number {
  let n = 0;
  for (let t = from.getTime() + DAY_MS; shanghaiDay(new Date(t)) <= shanghaiDay(to); t += DAY_MS) {
    if (isWorkingDay(shanghaiDay(new Date(t)), cal)) n++;
  }
  return n;
}
