import { describe, expect, it } from 'vitest';
import { DEFAULT_STAGES, HollowStagesError, parseStages, stageDelay, stageFails } from './hollow-stages.js';

describe('stageDelay and stageFails', () => {
  const stage = { delayMs: 100, jitterMs: 50, failureRate: 0.25 };

  it('adds the jitter scaled by the random draw to the delay', () => {
    expect(stageDelay(stage, () => 0)).toBe(100);
    expect(stageDelay(stage, () => 0.5)).toBe(125);
    expect(stageDelay(stage, () => 0.999)).toBe(149);
  });

  it('fails when the draw is below the failure rate, and never at rate 0', () => {
    expect(stageFails(stage, () => 0.2)).toBe(true);
    expect(stageFails(stage, () => 0.25)).toBe(false);
    expect(stageFails({ ...stage, failureRate: 0 }, () => 0)).toBe(false);
  });
});

describe('parseStages', () => {
  it('reads YAML and keeps the defaults of stages and fields left out', () => {
    const stages = parseStages('start:\n  delayMs: 500\n  failureRate: 0.1\nready: { jitterMs: 0 }\n');
    expect(stages.start).toEqual({ delayMs: 500, jitterMs: DEFAULT_STAGES.start.jitterMs, failureRate: 0.1 });
    expect(stages.ready).toEqual({ ...DEFAULT_STAGES.ready, jitterMs: 0 });
    expect(stages.sandbox).toEqual(DEFAULT_STAGES.sandbox);
  });

  it('reads JSON', () => {
    expect(parseStages('{"stop": {"delayMs": 0, "jitterMs": 0}}').stop).toEqual({
      delayMs: 0,
      jitterMs: 0,
      failureRate: 0,
    });
  });

  it('rejects unknown stages and fields and out-of-range values, naming them', () => {
    expect(() => parseStages('boot: { delayMs: 1 }')).toThrow(/unknown stage "boot"/);
    expect(() => parseStages('start: { delay: 1 }')).toThrow(/start.delay: unknown field/);
    expect(() => parseStages('start: { failureRate: 2 }')).toThrow(/start.failureRate: expected a number from 0 to 1/);
    expect(() => parseStages('start: { delayMs: -1 }')).toThrow(HollowStagesError);
    expect(() => parseStages('[1, 2]')).toThrow(HollowStagesError);
  });
});
