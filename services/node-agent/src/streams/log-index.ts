/**
 * When each line of a container log was written. Container processes write their log
 * file directly (so they outlive the node-agent), which leaves no place for a time per
 * line; instead the node-agent watches the files grow and keeps, next to each log, an
 * index `<log>.times` of records `<size> <time>`: every line that ends at or before
 * byte `size`, and after the previous record's size, was first seen complete at `time`.
 * The index is only stat()s and appends, so it is cheap to keep for every running
 * container; while the node-agent is down lines get the time it comes back.
 */
import { appendFileSync, existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { hrtime } from 'node:process';

/** A point in time: epoch milliseconds and its RFC 3339 text with nanoseconds. */
export interface LogTime {
  ms: number;
  text: string;
}

/** One index record. */
export interface IndexRecord extends LogTime {
  end: number;
}

/** Formats epoch milliseconds (plus nanoseconds within the millisecond) as RFC 3339 with 9 fraction digits. */
export function formatLogTime(ms: number, subMsNanos = 0): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}${String(Math.max(0, Math.min(999_999, subMsNanos))).padStart(6, '0')}Z`;
}

/** Now, with the sub-millisecond digits from the monotonic clock. */
export function preciseNow(): LogTime {
  const ms = Date.now();
  return { ms, text: formatLogTime(ms, Number(hrtime.bigint() % 1_000_000n)) };
}

/** Parses a times file; bad lines are skipped. */
export function parseIndex(text: string): IndexRecord[] {
  const out: IndexRecord[] = [];
  for (const line of text.split('\n')) {
    const [end, time] = line.split(' ');
    const ms = Date.parse(time ?? '');
    if (end && time && /^\d+$/.test(end) && !Number.isNaN(ms)) out.push({ end: Number(end), ms, text: time });
  }
  return out;
}

/** The record covering a line that ends at byte `end` (the first with record.end ≥ end). */
export function recordFor(records: readonly IndexRecord[], end: number): IndexRecord | undefined {
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((records[mid] as IndexRecord).end >= end) hi = mid;
    else lo = mid + 1;
  }
  return records[lo];
}

/** The index of all logs of one node-agent. */
export interface LogIndex {
  /** Records the growth of the log at `path` since the last call; returns all its records. */
  sync(path: string): readonly IndexRecord[];
  /** Moves a log and its index (a restarting container's log becomes its previous log). */
  rotate(from: string, to: string): void;
  /** Drops cached state of logs not in `paths` (their files stay). */
  retain(paths: ReadonlySet<string>): void;
}

/** The index file of a log. */
export function indexPath(logPath: string): string {
  return `${logPath}.times`;
}

/** Creates the index; `clock` is injected for tests. */
export function createLogIndex(clock: () => LogTime = preciseNow): LogIndex {
  const cache = new Map<string, IndexRecord[]>();

  function load(path: string): IndexRecord[] {
    let records = cache.get(path);
    if (!records) {
      try {
        records = parseIndex(readFileSync(indexPath(path), 'utf8'));
      } catch {
        records = [];
      }
      cache.set(path, records);
    }
    return records;
  }

  return {
    sync(path) {
      let size: number;
      try {
        size = statSync(path).size;
      } catch {
        return load(path);
      }
      let records = load(path);
      const last = records[records.length - 1]?.end ?? 0;
      if (size < last) {
        // Truncated or replaced behind our back: start over.
        rmSync(indexPath(path), { force: true });
        records = [];
        cache.set(path, records);
      }
      if (size > (records[records.length - 1]?.end ?? 0)) {
        const now = clock();
        records.push({ end: size, ...now });
        appendFileSync(indexPath(path), `${size} ${now.text}\n`);
      }
      return records;
    },
    rotate(from, to) {
      if (!existsSync(from)) return;
      this.sync(from);
      cache.delete(from);
      cache.delete(to);
      rmSync(indexPath(to), { force: true });
      renameSync(from, to);
      if (existsSync(indexPath(from))) renameSync(indexPath(from), indexPath(to));
    },
    retain(paths) {
      for (const p of cache.keys()) if (!paths.has(p)) cache.delete(p);
    },
  };
}
