import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import { parseDuration, parseMoment } from './moment.js';

describe('parseMoment', () => {
  const now = Date.parse('2026-11-26T19:00:00.000Z');

  it('reads sequences as seq:N and #N', () => {
    expect(parseMoment('seq:42', 'at', now)).toEqual({ seq: 42 });
    expect(parseMoment('#7', 'at', now)).toEqual({ seq: 7 });
  });

  it('reads durations back from now, with or without a minus', () => {
    expect(parseMoment('-2m', 'at', now)).toEqual({ time: new Date('2026-11-26T18:58:00.000Z') });
    expect(parseMoment('1h30m', 'since', now)).toEqual({ time: new Date('2026-11-26T17:30:00.000Z') });
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5s')).toBe(1500);
  });

  it('reads RFC 3339 times with milliseconds and offsets', () => {
    expect(parseMoment('2026-11-26T18:59:58.123Z', 'at', now)).toEqual({ time: new Date('2026-11-26T18:59:58.123Z') });
    expect(parseMoment('2026-11-26T20:00:00+01:00', 'at', now)).toEqual({ time: new Date(now) });
  });

  it('refuses anything else with a usage error naming the flag', () => {
    expect(() => parseMoment('yesterday', 'at', now)).toThrow(UsageError);
    expect(() => parseMoment('5x', 'since', now)).toThrow(/--since/);
  });
});
