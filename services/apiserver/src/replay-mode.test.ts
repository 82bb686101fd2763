import { describe, expect, it } from 'vitest';
import { InvalidReplayMomentError, parseReplayAt } from './replay-mode.js';

describe('parseReplayAt', () => {
  it('reads a sequence or an RFC 3339 time', () => {
    expect(parseReplayAt('seq:143')).toBe(143);
    expect(parseReplayAt('2026-11-26T19:24:57.123Z')).toEqual(new Date('2026-11-26T19:24:57.123Z'));
    expect(parseReplayAt('2026-11-26T20:24:57+01:00')).toEqual(new Date('2026-11-26T19:24:57Z'));
  });

  it('refuses relative or malformed moments, which the CLI resolves', () => {
    for (const bad of ['-2m', '#143', 'seq:', '2026-11-26', 'yesterday', ''])
      expect(() => parseReplayAt(bad)).toThrow(InvalidReplayMomentError);
  });
});
