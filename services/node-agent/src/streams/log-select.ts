/**
 * Picks the part of a log that a `kubectl logs` request asks for, as the kubelet does:
 * lines since a time, the last N lines, each prefixed with its time when asked, and at
 * most limitBytes in all. Pure: the bytes and a line → time function come in.
 */
import type { LogTime } from './log-index.js';

/** What to pick. */
export interface LogSelection {
  tailLines?: number;
  /** Only lines written at or after this epoch millisecond. */
  sinceMs?: number;
  timestamps?: boolean;
  /** Output at most this many bytes. */
  limitBytes?: number;
}

/** The time of the line `line` that ends at file offset `end`. */
export type LineTime = (line: Buffer, end: number) => LogTime;

/** A line of a buffer: [start, end) relative to the buffer, end after its newline. */
export interface LineSpan {
  start: number;
  end: number;
}

/** The complete lines of `buf`, plus the partial last line when `includePartial`. */
export function splitLines(buf: Buffer, includePartial = false): LineSpan[] {
  const lines: LineSpan[] = [];
  let start = 0;
  for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
    lines.push({ start, end: nl + 1 });
    start = nl + 1;
  }
  if (includePartial && start < buf.length) lines.push({ start, end: buf.length });
  return lines;
}

/** The lines as output: each prefixed with `<time> ` when timestamps are on. */
export function renderLines(
  buf: Buffer,
  base: number,
  lines: readonly LineSpan[],
  timestamps: boolean,
  timeOf: LineTime,
): Buffer {
  const parts: Buffer[] = [];
  for (const l of lines) {
    const line = buf.subarray(l.start, l.end);
    if (timestamps) parts.push(Buffer.from(`${timeOf(line, base + l.end).text} `));
    parts.push(line);
  }
  return Buffer.concat(parts);
}

/** Cuts `out` to at most `limit` bytes (no limit when undefined). */
export function limitOutput(out: Buffer, limit: number | undefined): Buffer {
  return limit !== undefined && out.length > limit ? out.subarray(0, Math.max(0, limit)) : out;
}

/**
 * Selects from `buf` (the log from file offset `base` on). Returns the output and how
 * many bytes of `buf` it covered: complete lines only, unless `includePartial`.
 */
export function selectLog(
  buf: Buffer,
  base: number,
  sel: LogSelection,
  timeOf: LineTime,
  includePartial: boolean,
): { out: Buffer; consumed: number } {
  const all = splitLines(buf, includePartial);
  const consumed = all.length > 0 ? (all[all.length - 1] as LineSpan).end : 0;
  let lines = all;
  if (sel.sinceMs !== undefined) {
    const since = sel.sinceMs;
    lines = lines.filter((l) => timeOf(buf.subarray(l.start, l.end), base + l.end).ms >= since);
  }
  if (sel.tailLines !== undefined && sel.tailLines >= 0) {
    lines = sel.tailLines === 0 ? [] : lines.slice(-sel.tailLines);
  }
  const out = renderLines(buf, base, lines, sel.timestamps === true, timeOf);
  return { out: limitOutput(out, sel.limitBytes), consumed };
}

/** The time a component's JSON log line carries in its `time` field (pino writes ISO times), if any. */
export function jsonLineTime(line: Buffer): LogTime | undefined {
  const m = /"time":(?:"([^"]+)"|(\d+))/.exec(line.toString('utf8', 0, Math.min(line.length, 4096)));
  if (!m) return undefined;
  const ms = m[1] !== undefined ? Date.parse(m[1]) : Number(m[2]);
  if (Number.isNaN(ms)) return undefined;
  const iso = new Date(ms).toISOString();
  return { ms, text: `${iso.slice(0, 23)}000000Z` };
}
