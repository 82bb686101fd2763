import { describe, expect, it } from 'vitest';
import { InvalidCidrError } from '@kemu/api';
import { CidrRangeFullError, nextFreePodCidr, podCidrRange } from './pod-cidr-allocator.js';

describe('pod-cidr-allocator', () => {
  const range = podCidrRange('10.244.0.0/16', 24);

  it('hands out the first /24 of an empty range', () => {
    expect(nextFreePodCidr(range, [])).toBe('10.244.0.0/24');
  });

  it('skips the CIDRs nodes already hold, also ones they brought along', () => {
    expect(nextFreePodCidr(range, ['10.244.0.0/24', '10.244.1.0/24', '10.244.3.0/24'])).toBe('10.244.2.0/24');
  });

  it('reuses a block once the node holding it is gone', () => {
    const taken = ['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24'];
    expect(nextFreePodCidr(range, taken)).toBe('10.244.3.0/24');
    expect(
      nextFreePodCidr(
        range,
        taken.filter((c) => c !== '10.244.1.0/24'),
      ),
    ).toBe('10.244.1.0/24');
  });

  it('ignores CIDRs outside the range and marks every block a wider CIDR covers', () => {
    expect(nextFreePodCidr(range, ['10.99.0.0/24', '10.244.0.0/23'])).toBe('10.244.2.0/24');
  });

  it('reports a full range', () => {
    const small = podCidrRange('10.244.0.0/23', 24);
    expect(() => nextFreePodCidr(small, ['10.244.0.0/24', '10.244.1.0/24'])).toThrow(CidrRangeFullError);
  });

  it('rejects a bad cluster CIDR or mask size', () => {
    expect(() => podCidrRange('10.244.0.0', 24)).toThrow(InvalidCidrError);
    expect(() => podCidrRange('10.244.0.0/16', 8)).toThrow(InvalidCidrError);
  });
});
