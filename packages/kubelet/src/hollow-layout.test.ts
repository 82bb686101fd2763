import { parseCidr } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { hollowNodeLayout, hollowStopFile } from './hollow-layout.js';

describe('hollowNodeLayout', () => {
  it('names hollow nodes and hands them /24 blocks from the top of the cluster CIDR down', () => {
    expect(hollowNodeLayout('hollow', 3, parseCidr('10.244.0.0/16'))).toEqual([
      { name: 'hollow-1', podCIDR: '10.244.255.0/24' },
      { name: 'hollow-2', podCIDR: '10.244.254.0/24' },
      { name: 'hollow-3', podCIDR: '10.244.253.0/24' },
    ]);
  });

  it('refuses more hollow nodes than the range has blocks beside the first', () => {
    expect(hollowNodeLayout('h', 255, parseCidr('10.244.0.0/16'))).toHaveLength(255);
    expect(() => hollowNodeLayout('h', 256, parseCidr('10.244.0.0/16'))).toThrow(/do not fit/);
  });

  it('keeps the stop file of a node in the state directory', () => {
    expect(hollowStopFile('/s', 'hollow-2')).toBe('/s/hollow/stopped/hollow-2');
  });
});
