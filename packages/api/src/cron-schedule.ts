/**
 * Cron schedules as CronJobs use them (robfig/cron's ParseStandard, which the CronJob
 * controller calls): five fields `minute hour day-of-month month day-of-week` with `*`,
 * `?`, lists, ranges, steps and month/day names, or a descriptor (`@hourly`, `@daily`,
 * `@midnight`, `@weekly`, `@monthly`, `@yearly`, `@annually`). Day-of-month and
 * day-of-week match with OR unless either is `*`. Times are UTC (cron-time-zone.ts maps a
 * zone's wall clock onto them).
 */

/** A schedule that does not parse; the message is the one the apiserver reports. */
export class CronScheduleError extends Error {
  readonly code = 'CRON_SCHEDULE_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'CronScheduleError';
  }
}

/** A parsed schedule: the allowed values of each field. */
export interface CronSchedule {
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  days: ReadonlySet<number>;
  months: ReadonlySet<number>;
  weekdays: ReadonlySet<number>;
  /** Day-of-month or day-of-week was `*` or `?`: the two match with AND. */
  dayStar: boolean;
}

interface Bounds {
  min: number;
  max: number;
  names?: string[];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const FIELDS: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS },
  { min: 0, max: 6, names: DAYS },
];
const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function number(s: string, b: Bounds): number {
  const named = b.names?.indexOf(s.toLowerCase()) ?? -1;
  if (named >= 0) return named + b.min;
  if (!/^\d+$/.test(s))
    throw new CronScheduleError(`failed to parse int from ${s}: strconv.Atoi: parsing "${s}": invalid syntax`);
  return Number(s);
}

function parseField(field: string, b: Bounds): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  let star = false;
  for (const part of field.split(',')) {
    const [range = '', stepText] = part.split('/');
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      lo = b.min;
      hi = b.max;
      if (stepText === undefined) star = true;
    } else {
      const [a = '', z] = range.split('-');
      lo = number(a, b);
      hi = z === undefined ? (stepText === undefined ? lo : b.max) : number(z, b);
    }
    const step = stepText === undefined ? 1 : number(stepText, { min: 0, max: 0 });
    if (lo < b.min) throw new CronScheduleError(`beginning of range (${lo}) below minimum (${b.min}): ${part}`);
    if (hi > b.max) throw new CronScheduleError(`end of range (${hi}) above maximum (${b.max}): ${part}`);
    if (lo > hi) throw new CronScheduleError(`beginning of range (${lo}) beyond end of range (${hi}): ${part}`);
    if (step === 0) throw new CronScheduleError(`step of range should be a positive number: ${part}`);
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return { values, star };
}

/** Parses a standard cron spec or descriptor; throws CronScheduleError. */
export function parseCronSchedule(spec: string): CronSchedule {
  const text = spec.trim();
  if (text.startsWith('TZ=') || text.startsWith('CRON_TZ='))
    throw new CronScheduleError('CRON_TZ or TZ used in schedule is not supported, please use the timeZone field');
  const expanded = DESCRIPTORS[text] ?? text;
  if (expanded.startsWith('@')) throw new CronScheduleError(`unrecognized descriptor: ${text}`);
  const fields = expanded.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) throw new CronScheduleError(`expected exactly 5 fields, found ${fields.length}: ${text}`);
  const [mi, h, d, mo, w] = fields.map((f, i) => parseField(f, FIELDS[i] as Bounds));
  if (!mi || !h || !d || !mo || !w) throw new CronScheduleError(`expected exactly 5 fields: ${text}`);
  return {
    minutes: mi.values,
    hours: h.values,
    days: d.values,
    months: mo.values,
    weekdays: w.values,
    dayStar: d.star || w.star,
  };
}

function dayMatches(s: CronSchedule, t: Date): boolean {
  const dom = s.days.has(t.getUTCDate());
  const dow = s.weekdays.has(t.getUTCDay());
  return s.dayStar ? dom && dow : dom || dow;
}

/** The first time strictly after `after` (to the minute) that the schedule fires, or undefined within 5 years. */
export function nextCronTime(s: CronSchedule, after: Date): Date | undefined {
  const t = new Date(after.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  const limit = after.getTime() + 5 * 366 * 24 * 3600 * 1000;
  while (t.getTime() <= limit) {
    if (!s.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0);
    } else if (!dayMatches(s, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0);
    } else if (!s.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0);
    } else if (!s.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1);
    } else return t;
  }
  return undefined;
}
