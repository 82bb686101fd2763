import { describe, expect, it } from 'vitest';
import { MAX_SAMPLE_EVERY } from '../flow-sample-rate.js';
import { EVENT_MASK_TABLE, eventMaskStatements, sampledMark, weightOfMark } from './conntrack-event-mask.js';

describe('eventMaskStatements', () => {
  it('replaces the table whole and follows every service flow on both hooks when not sampling', () => {
    const lines = eventMaskStatements('10.96.0.0/12');
    expect(lines.slice(0, 3)).toEqual([
      `add table ${EVENT_MASK_TABLE}`,
      `delete table ${EVENT_MASK_TABLE}`,
      `table ${EVENT_MASK_TABLE} {`,
    ]);
    const text = lines.join('\n');
    for (const hook of ['prerouting', 'output']) expect(text).toContain(`type filter hook ${hook} priority mangle;`);
    expect(
      text.match(
        /ct state new ct original ip daddr 10\.96\.0\.0\/12 ct mark set 0x80000000 ct event set new,destroy,protoinfo accept/g,
      ),
    ).toHaveLength(2);
    expect(text.match(/ct state new ct event set 0x0/g)).toHaveLength(2);
    expect(text).not.toContain('numgen');
  });

  it('follows one flow in N, chosen by the kernel, and marks it with its weight', () => {
    const text = eventMaskStatements('10.96.0.0/12', 6).join('\n');
    expect(text.match(/daddr 10\.96\.0\.0\/12 numgen random mod 8 0 ct mark set 0x83000000 /g)).toHaveLength(2);
  });
});

describe('sampling marks', () => {
  it('carries the weight in the mark and reads it back', () => {
    for (const every of [1, 2, 16, MAX_SAMPLE_EVERY]) expect(weightOfMark(sampledMark(every))).toBe(every);
    expect(weightOfMark(undefined)).toBe(1);
    expect(weightOfMark(0x0300_0000)).toBe(1);
  });
});
