import { describe, expect, it } from 'vitest';
import { EVENT_MASK_TABLE, eventMaskStatements } from './conntrack-event-mask.js';

describe('eventMaskStatements', () => {
  it('replaces the table whole and masks events by the original destination on both hooks', () => {
    const lines = eventMaskStatements('10.96.0.0/12');
    expect(lines.slice(0, 3)).toEqual([
      `add table ${EVENT_MASK_TABLE}`,
      `delete table ${EVENT_MASK_TABLE}`,
      `table ${EVENT_MASK_TABLE} {`,
    ]);
    const text = lines.join('\n');
    for (const hook of ['prerouting', 'output']) expect(text).toContain(`type filter hook ${hook} priority mangle;`);
    expect(text.match(/ct original ip daddr 10\.96\.0\.0\/12 ct event set new,destroy,protoinfo/g)).toHaveLength(2);
    expect(text.match(/ct original ip daddr != 10\.96\.0\.0\/12 ct event set 0x0/g)).toHaveLength(2);
  });
});
