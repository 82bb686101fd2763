import { describe, expect, it } from 'vitest';
import { InvalidCidrError } from '@kemu/api';
import { allocatePodIP, gatewayOf, parsePodCidr } from './pod-ip-allocator.js';

const cidr = parsePodCidr('10.244.1.0/24');

describe('allocatePodIP', () => {
  it.each<[string, string[], string | undefined, string | undefined]>([
    ['an empty node gets .2', [], undefined, '10.244.1.2'],
    ['skips IPs held by pods', ['10.244.1.2', '10.244.1.3'], undefined, '10.244.1.4'],
    ['continues after the last allocation', ['10.244.1.2'], '10.244.1.7', '10.244.1.8'],
    ['does not reuse a freed IP at once', [], '10.244.1.2', '10.244.1.3'],
    ['wraps after .254, never handing out .255', [], '10.244.1.254', '10.244.1.2'],
    ['ignores a last IP outside the range', [], '10.9.9.9', '10.244.1.2'],
  ])('%s', (_what, inUse, last, expected) => {
    expect(allocatePodIP(cidr, new Set(inUse), last)).toBe(expected);
  });

  it('returns undefined when all 253 addresses are in use', () => {
    const all = new Set(Array.from({ length: 253 }, (_, i) => `10.244.1.${i + 2}`));
    expect(allocatePodIP(cidr, all)).toBeUndefined();
    all.delete('10.244.1.100');
    expect(allocatePodIP(cidr, all, '10.244.1.200')).toBe('10.244.1.100');
  });

  it('parses the CIDR and derives the gateway', () => {
    expect(parsePodCidr('10.244.3.77/24')).toEqual({
      network: parsePodCidr('10.244.3.0/24').network,
      prefixLength: 24,
    });
    expect(gatewayOf(parsePodCidr('10.244.3.0/24'))).toBe('10.244.3.1');
    expect(() => parsePodCidr('10.244.3.0')).toThrow(InvalidCidrError);
    expect(() => parsePodCidr('10.244.300.0/24')).toThrow(InvalidCidrError);
    expect(() => parsePodCidr('10.0.0.0/4')).toThrow(/invalid pod CIDR/);
  });
});
