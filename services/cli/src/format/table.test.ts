import { describe, expect, it } from 'vitest';
import { formatTable } from './table.js';

describe('formatTable', () => {
  it('pads columns like kubectl', () => {
    expect(
      formatTable([
        ['NAME', 'STATUS'],
        ['node-1', 'Ready'],
      ]),
    ).toBe('NAME     STATUS\nnode-1   Ready');
  });
});
