import { describe, expect, it } from 'vitest';
import { CronScheduleError, nextCronTime, parseCronSchedule } from './cron-schedule.js';
import { isKnownTimeZone, nextCronTimeIn } from './cron-time-zone.js';

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

describe('cron schedules in a time zone', () => {
  const inZone = (spec: string, after: string, tz: string) =>
    nextCronTimeIn(parseCronSchedule(spec), new Date(after), tz)?.toISOString();

  it('matches the zone wall clock, across a DST change', () => {
    // 09:00 in New York is 14:00 UTC in winter and 13:00 UTC in summer.
    expect(inZone('0 9 * * *', '2026-01-01T00:00:00Z', 'America/New_York')).toBe('2026-01-01T14:00:00.000Z');
    expect(inZone('0 9 * * *', '2026-07-01T00:00:00Z', 'America/New_York')).toBe('2026-07-01T13:00:00.000Z');
    // 02:30 does not exist on 2026-03-08 in New York: the next one is the day after.
    expect(inZone('30 2 * * *', '2026-03-08T05:00:00Z', 'America/New_York')).toBe('2026-03-09T06:30:00.000Z');
    expect(inZone('*/1 * * * *', '2026-01-01T00:00:30Z', 'Asia/Kolkata')).toBe('2026-01-01T00:01:00.000Z');
  });

  it('knows the zones of the IANA database', () => {
    expect([isKnownTimeZone('Europe/Berlin'), isKnownTimeZone('Foo/Bar')]).toEqual([true, false]);
  });
});
