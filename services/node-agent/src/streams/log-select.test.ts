import { describe, expect, it } from 'vitest';
import { type IndexRecord, formatLogTime, recordFor } from './log-index.js';
import { type LineTime, jsonLineTime, selectLog, splitLines } from './log-select.js';

const log = Buffer.from('one\ntwo\nthree\nfour\npart');
// one+two seen at t=1000, three at t=2000, four at t=3000.
const records: IndexRecord[] = [
  { end: 8, ms: 1000, text: formatLogTime(1000) },
  { end: 14, ms: 2000, text: formatLogTime(2000) },
  { end: 19, ms: 3000, text: formatLogTime(3000) },
];
const now = { ms: 9000, text: formatLogTime(9000) };
const timeOf: LineTime = (_line, end) => recordFor(records, end) ?? now;

describe('splitLines', () => {
  it('returns complete lines and, when asked, the partial last one', () => {
    expect(splitLines(log)).toEqual([
      { start: 0, end: 4 },
      { start: 4, end: 8 },
      { start: 8, end: 14 },
      { start: 14, end: 19 },
    ]);
    expect(splitLines(log, true).at(-1)).toEqual({ start: 19, end: 23 });
    expect(splitLines(Buffer.from(''), true)).toEqual([]);
  });
});

describe('selectLog', () => {
  it('returns everything, the partial line included, for a plain request', () => {
    expect(selectLog(log, 0, {}, timeOf, true)).toEqual({ out: log, consumed: log.length });
  });

  it('leaves the partial line for a follow to deliver later', () => {
    const r = selectLog(log, 0, {}, timeOf, false);
    expect(r.out.toString()).toBe('one\ntwo\nthree\nfour\n');
    expect(r.consumed).toBe(19);
  });

  it('keeps the last tailLines lines; tailLines=0 gives nothing', () => {
    expect(selectLog(log, 0, { tailLines: 2 }, timeOf, false).out.toString()).toBe('three\nfour\n');
    expect(selectLog(log, 0, { tailLines: 1 }, timeOf, true).out.toString()).toBe('part');
    expect(selectLog(log, 0, { tailLines: 0 }, timeOf, true).out.toString()).toBe('');
  });

  it('prefixes each line with the time it was first seen complete', () => {
    const out = selectLog(log, 0, { timestamps: true, tailLines: 3 }, timeOf, false).out.toString();
    expect(out).toBe(
      '1970-01-01T00:00:01.000000000Z two\n1970-01-01T00:00:02.000000000Z three\n1970-01-01T00:00:03.000000000Z four\n',
    );
  });

  it('keeps lines written since a time, before applying the tail', () => {
    expect(selectLog(log, 0, { sinceMs: 2000 }, timeOf, false).out.toString()).toBe('three\nfour\n');
    expect(selectLog(log, 0, { sinceMs: 2000, tailLines: 1 }, timeOf, false).out.toString()).toBe('four\n');
  });

  it('cuts the output at limitBytes', () => {
    expect(selectLog(log, 0, { limitBytes: 6 }, timeOf, true).out.toString()).toBe('one\ntw');
  });

  it('uses file offsets when the buffer starts mid-file', () => {
    const tail = log.subarray(8);
    const out = selectLog(tail, 8, { timestamps: true }, timeOf, false).out.toString();
    expect(out).toBe('1970-01-01T00:00:02.000000000Z three\n1970-01-01T00:00:03.000000000Z four\n');
  });
});

describe('jsonLineTime', () => {
  it("reads a component log line's ISO or epoch time", () => {
    expect(jsonLineTime(Buffer.from('{"level":30,"time":"2026-01-02T03:04:05.678Z","msg":"x"}\n'))).toEqual({
      ms: Date.parse('2026-01-02T03:04:05.678Z'),
      text: '2026-01-02T03:04:05.678000000Z',
    });
    expect(jsonLineTime(Buffer.from('{"time":1000}'))?.text).toBe('1970-01-01T00:00:01.000000000Z');
    expect(jsonLineTime(Buffer.from('plain text'))).toBeUndefined();
  });
});
