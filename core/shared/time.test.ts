import { describe, expect, it } from 'vitest';
import {
  addDays,
  endOfShanghaiDay,
  formatClock,
  formatDate,
  formatDateRange,
  formatDateTime,
  formatDateTimeSeconds,
  formatMonthDay,
  shanghaiDate,
  shanghaiDateCompact,
  shanghaiDayRange,
  shanghaiLocalInput,
  shanghaiLocalToIso,
  shanghaiMinute,
  startOfShanghaiDay,
} from './time';

// 2026-03-01 16:05:09 UTC is 2026-03-02 00:05:09 in Beijing: the date differs from the UTC date.
const t = new Date('2026-03-01T16:05:09Z');

describe('Beijing time', () => {
  it('reads an instant as Beijing wall-clock time whatever the zone', () => {
    expect(shanghaiDate(t)).toBe('2026-03-02');
    expect(shanghaiDateCompact(t)).toBe('20260302');
    expect(shanghaiMinute(t)).toBe('2026-03-02 00:05');
    expect(shanghaiLocalInput(t)).toBe('2026-03-02T00:05');
    expect(formatDateTime(t)).toBe('2026-03-02 00:05');
    expect(formatDate(t.toISOString())).toBe('2026-03-02');
    expect(formatDateTimeSeconds(t)).toBe('2026-03-02 00:05:09');
    expect(formatClock(t)).toBe('00:05:09');
    expect(formatClock(t, true)).toBe('03-02 00:05');
    expect(formatMonthDay(t)).toBe('3月2日');
  });
  it('shows a dash for nothing', () => {
    expect(formatDateTime(null)).toBe('—');
    expect(formatDate(undefined)).toBe('—');
    expect(formatClock(null)).toBe('—');
    expect(formatDateRange(null, null)).toBe('—');
    expect(formatDateTime('not a date')).toBe('—');
    expect(formatDate(new Date(Number.NaN))).toBe('—');
  });
  it('shows one format everywhere: 2026-03-01 14:05 and 2026-03-01, Beijing time, whatever the input', () => {
    const at = '2026-03-01T06:05:09.123Z'; // 14:05:09 in Beijing
    for (const d of [at, new Date(at), Date.parse(at), '2026-03-01T14:05:09+08:00']) {
      expect(formatDateTime(d)).toBe('2026-03-01 14:05');
      expect(formatDate(d)).toBe('2026-03-01');
      expect(formatDateTimeSeconds(d)).toBe('2026-03-01 14:05:09');
    }
    // A calendar day stays that day; late evening UTC is the next morning in Beijing.
    expect(formatDate('2026-12-15')).toBe('2026-12-15');
    expect(formatDateTime('2026-12-14T23:27:00Z')).toBe('2026-12-15 07:27');
    expect(formatDate('2026-12-14T23:27:00Z')).toBe('2026-12-15');
    // 24-hour clock, zero-padded, whatever the process's zone.
    expect(formatDateTime('2026-01-05T16:00:00Z')).toBe('2026-01-06 00:00');
    expect(formatDateTime(new Date('2026-07-09T04:03:00Z'))).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    expect(formatDateRange('2026-03-01', '2026-03-31')).toBe('2026-03-01 – 2026-03-31');
    expect(formatDateRange('2026-03-01', null)).toBe('2026-03-01 起');
  });
  it('bounds Beijing days', () => {
    expect(startOfShanghaiDay('2026-03-02').toISOString()).toBe('2026-03-01T16:00:00.000Z');
    expect(endOfShanghaiDay('2026-03-02').toISOString()).toBe('2026-03-02T16:00:00.000Z');
    const r = shanghaiDayRange('2026-03-01', '2026-03-31');
    expect([r.start.toISOString(), r.end.toISOString()]).toEqual(['2026-02-28T16:00:00.000Z', '2026-03-31T16:00:00.000Z']);
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(formatDateRange('2026-03-01T00:00:00+08:00', '2026-03-31T00:00:00+08:00')).toBe('2026-03-01 – 2026-03-31');
  });
  it('parses a typed Beijing datetime', () => {
    expect(shanghaiLocalToIso('2026-03-01T14:05')).toBe('2026-03-01T14:05:00+08:00');
    expect(shanghaiLocalToIso('2026-03-01T14:05:30')).toBe('2026-03-01T14:05:30+08:00');
    expect(new Date(shanghaiLocalToIso('2026-03-01T14:05')!).toISOString()).toBe('2026-03-01T06:05:00.000Z');
    expect(shanghaiLocalToIso('  ')).toBeUndefined();
    expect(shanghaiLocalToIso('tomorrow')).toBe('tomorrow');
  });
});
