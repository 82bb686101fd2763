/**
 * A moment of the event log as the user names it on the command line: `seq:N` or `#N`
 * (a stream sequence), a duration back from now (`5m`, `-2m`, `1h30m`, `90s`, `500ms`),
 * or an RFC 3339 time (`2026-11-26T19:24:57.123Z`).
 */
import { UsageError } from './errors.js';

/** A stream sequence or a point in time. */
export type Moment = { seq: number } | { time: Date };

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Go-style duration (`1h30m`, `90s`, `500ms`), or undefined when `text` is not one. */
export function parseDuration(text: string): number | undefined {
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) return undefined;
  let ms = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  return ms;
}

/** Parses a moment for `flag`; `now` anchors relative durations. Throws UsageError for anything else. */
export function parseMoment(text: string, flag: string, now: number = Date.now()): Moment {
  const seq = /^(?:seq:|#)(\d+)$/.exec(text);
  if (seq) return { seq: Number(seq[1]) };
  const ago = parseDuration(text.startsWith('-') ? text.slice(1) : text);
  if (ago !== undefined) return { time: new Date(now - ago) };
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(text)) {
    const t = new Date(text);
    if (!Number.isNaN(t.getTime())) return { time: t };
  }
  throw new UsageError(
    `invalid value "${text}" for --${flag}: want a sequence (seq:N or #N), a duration back from now (5m, -2m, 1h30m) or an RFC 3339 time`,
  );
}
