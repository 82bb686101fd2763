/**
 * Cron schedules in an IANA time zone (CronJob `spec.timeZone`): the schedule is matched
 * against the zone's wall clock, as the CronJob controller does with Go's time zone
 * database. A wall time a DST change skips never fires; one it repeats fires once.
 */
import { type CronSchedule, nextCronTime } from './cron-schedule.js';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` names a zone this runtime knows (Intl's IANA database). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

// The wall clock of `instant` in the zone, as a Date whose UTC fields are that wall clock.
function toWall(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(instant))
      .map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>;
  const wall = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return wall + (instant % 1000);
}

// The instant whose wall clock is `wall`, or undefined when the zone skips that wall time.
function fromWall(wall: number, timeZone: string): number | undefined {
  let guess = wall - (toWall(wall, timeZone) - wall);
  guess = wall - (toWall(guess, timeZone) - guess);
  return toWall(guess, timeZone) === wall ? guess : undefined;
}

/** The first time strictly after `after` that the schedule fires on `timeZone`'s wall clock (UTC when absent). */
export function nextCronTimeIn(s: CronSchedule, after: Date, timeZone?: string): Date | undefined {
  if (!timeZone || timeZone === 'UTC' || timeZone === 'Etc/UTC') return nextCronTime(s, after);
  let wall = nextCronTime(s, new Date(toWall(after.getTime(), timeZone)));
  for (let i = 0; wall && i < 1000; i++, wall = nextCronTime(s, wall)) {
    const instant = fromWall(wall.getTime(), timeZone);
    if (instant !== undefined && instant > after.getTime()) return new Date(instant);
  }
  return undefined;
}
