import { describe, expect, it } from 'vitest';
import { ageSince, humanDuration } from './human-duration.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

describe('humanDuration', () => {
  it('formats like Kubernetes HumanDuration', () => {
    expect(humanDuration(0)).toBe('0s');
    expect(humanDuration(-1500)).toBe('0s');
    expect(humanDuration(-3 * s)).toBe('<invalid>');
    expect(humanDuration(5 * s)).toBe('5s');
    expect(humanDuration(119 * s)).toBe('119s');
    expect(humanDuration(2 * m + 3 * s)).toBe('2m3s');
    expect(humanDuration(5 * m)).toBe('5m');
    expect(humanDuration(10 * m + 30 * s)).toBe('10m');
    expect(humanDuration(179 * m)).toBe('179m');
    expect(humanDuration(3 * h)).toBe('3h');
    expect(humanDuration(3 * h + 20 * m)).toBe('3h20m');
    expect(humanDuration(20 * h)).toBe('20h');
    expect(humanDuration(2 * d)).toBe('2d');
    expect(humanDuration(2 * d + 5 * h)).toBe('2d5h');
    expect(humanDuration(30 * d)).toBe('30d');
    expect(humanDuration(800 * d)).toBe('2y70d');
    expect(humanDuration(365 * 9 * d)).toBe('9y');
  });

  it('prints <unknown> for a missing timestamp', () => {
    expect(ageSince(undefined, Date.now())).toBe('<unknown>');
    expect(ageSince('2025-01-01T00:00:00Z', Date.parse('2025-01-01T00:00:42Z'))).toBe('42s');
  });
});
