import { describe, expect, it } from 'vitest';
import { CronScheduleError, nextCronTime, parseCronSchedule } from './cron-schedule.js';

const next = (spec: string, after: string) => nextCronTime(parseCronSchedule(spec), new Date(after))?.toISOString();

describe('cron schedules', () => {
  it('finds the next minute of every-minute and stepped schedules', () => {
    expect(next('*/1 * * * *', '2026-01-01T12:00:30Z')).toBe('2026-01-01T12:01:00.000Z');
    expect(next('*/15 * * * *', '2026-01-01T12:00:00Z')).toBe('2026-01-01T12:15:00.000Z');
    expect(next('5-10/5 * * * *', '2026-01-01T12:06:00Z')).toBe('2026-01-01T12:10:00.000Z');
  });

  it('honours hours, months, names and descriptors', () => {
    expect(next('30 2 * * *', '2026-01-01T03:00:00Z')).toBe('2026-01-02T02:30:00.000Z');
    expect(next('0 0 1 mar *', '2026-01-01T00:00:00Z')).toBe('2026-03-01T00:00:00.000Z');
    expect(next('@hourly', '2026-01-01T12:59:59Z')).toBe('2026-01-01T13:00:00.000Z');
    expect(next('@weekly', '2026-01-01T00:00:00Z')).toBe('2026-01-04T00:00:00.000Z');
  });

  it('ORs day-of-month and day-of-week unless one is a star', () => {
    // 2026-01-01 is a Thursday: the 15th or any Monday.
    expect(next('0 0 15 * mon', '2026-01-01T00:00:00Z')).toBe('2026-01-05T00:00:00.000Z');
    expect(next('0 0 * * mon-fri', '2026-01-02T01:00:00Z')).toBe('2026-01-05T00:00:00.000Z');
  });

  it('refuses malformed schedules with robfig/cron messages', () => {
    expect(() => parseCronSchedule('* * *')).toThrow(/expected exactly 5 fields, found 3/);
    expect(() => parseCronSchedule('61 * * * *')).toThrow(/end of range \(61\) above maximum \(59\)/);
    expect(() => parseCronSchedule('x * * * *')).toThrow(CronScheduleError);
    expect(() => parseCronSchedule('TZ=UTC * * * * *')).toThrow(/please use the timeZone field/);
  });
});
