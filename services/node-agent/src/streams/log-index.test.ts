import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogIndex, formatLogTime, indexPath, parseIndex, recordFor } from './log-index.js';

describe('formatLogTime', () => {
  it('writes RFC 3339 with nine fraction digits', () => {
    expect(formatLogTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678), 901_234)).toBe('2026-01-02T03:04:05.678901234Z');
    expect(formatLogTime(0)).toBe('1970-01-01T00:00:00.000000000Z');
  });
});

describe('recordFor', () => {
  const recs = parseIndex('4 1970-01-01T00:00:01.000000000Z\n10 1970-01-01T00:00:02.000000000Z\nbad line\n');
  it('finds the first record at or after a line end', () => {
    expect(recs).toHaveLength(2);
    expect(recordFor(recs, 1)?.ms).toBe(1000);
    expect(recordFor(recs, 4)?.ms).toBe(1000);
    expect(recordFor(recs, 5)?.ms).toBe(2000);
    expect(recordFor(recs, 11)).toBeUndefined();
  });
});

describe('createLogIndex', () => {
  let dir: string;
  let t = 0;
  const clock = () => ({ ms: t, text: formatLogTime(t) });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kemu-log-index-'));
    t = 1000;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('records growth with the time it was seen and persists it next to the log', () => {
    const log = join(dir, 'c.log');
    const index = createLogIndex(clock);
    expect(index.sync(log)).toEqual([]);
    writeFileSync(log, 'a\nb\n');
    index.sync(log);
    t = 2000;
    index.sync(log);
    appendFileSync(log, 'c\n');
    const recs = index.sync(log);
    expect(recs.map((r) => [r.end, r.ms])).toEqual([
      [4, 1000],
      [6, 2000],
    ]);
    expect(readFileSync(indexPath(log), 'utf8')).toBe(
      '4 1970-01-01T00:00:01.000000000Z\n6 1970-01-01T00:00:02.000000000Z\n',
    );
    // A new index (a restarted node-agent) reads it back.
    expect(createLogIndex(clock).sync(log)).toEqual(recs);
  });

  it('starts over when the log shrank', () => {
    const log = join(dir, 'c.log');
    const index = createLogIndex(clock);
    writeFileSync(log, 'long line\n');
    index.sync(log);
    writeFileSync(log, 'x\n');
    t = 5000;
    expect(index.sync(log).map((r) => [r.end, r.ms])).toEqual([[2, 5000]]);
  });

  it('rotates a log and its index to the previous name', () => {
    const log = join(dir, 'c.log');
    const prev = join(dir, 'c.previous.log');
    const index = createLogIndex(clock);
    writeFileSync(prev, 'older\n');
    writeFileSync(log, 'old\n');
    index.rotate(log, prev);
    expect(existsSync(log)).toBe(false);
    expect(readFileSync(prev, 'utf8')).toBe('old\n');
    expect(index.sync(prev).map((r) => r.end)).toEqual([4]);
    index.rotate(join(dir, 'missing.log'), prev);
    expect(readFileSync(prev, 'utf8')).toBe('old\n');
  });
});
