import { describe, expect, it } from 'vitest';
import {
  InvalidCidrError,
  cidrAddress,
  cidrContains,
  cidrSize,
  formatCidr,
  parseCidr,
  parseServiceCidr,
  tryParseCidr,
} from './cidr.js';

describe('cidr', () => {
  it('parses a CIDR and clears its host bits', () => {
    expect(parseCidr('10.244.7.9/24')).toEqual({ network: 0x0af40700, prefixLength: 24 });
    expect(formatCidr(parseCidr('10.96.3.4/12'))).toBe('10.96.0.0/12');
    expect(cidrSize(parseCidr('10.96.0.0/12'))).toBe(1 << 20);
    expect(formatCidr(parseCidr('0.0.0.0/0'))).toBe('0.0.0.0/0');
  });

  it('refuses what is not an IPv4 CIDR', () => {
    for (const bad of [
      '10.96.0.0',
      '10.96.0.0/',
      '10.96.0.0/33',
      '10.96.0.0/1/2',
      '10.96.0.256/24',
      '10.96.0.01/24',
      'x/8',
    ])
      expect(tryParseCidr(bad)).toBeUndefined();
    expect(() => parseCidr('10.96.0.0')).toThrow(InvalidCidrError);
    expect(() => parseCidr('10.96.0.0')).toThrow(/invalid IPv4 CIDR "10.96.0.0"/);
  });

  it('names the use in the error and checks its prefix bounds', () => {
    const pod = { what: 'pod CIDR', minPrefix: 8, maxPrefix: 30 };
    expect(() => parseCidr('10.244.0.0', pod)).toThrow(/invalid pod CIDR "10.244.0.0"/);
    expect(() => parseCidr('10.244.0.0/31', pod)).toThrow(/prefix length must be between 8 and 30/);
    expect(parseCidr('10.244.1.0/24', pod).prefixLength).toBe(24);
  });

  it('refuses a Service range wider than /12 with kube-apiserver message', () => {
    expect(parseServiceCidr('10.96.0.0/12').prefixLength).toBe(12);
    expect(() => parseServiceCidr('10.0.0.0/8')).toThrow(
      'specified --service-cluster-ip-range is too large; for 32-bit addresses, the mask must be >= 12',
    );
    expect(() => parseServiceCidr('10.96.0.0')).toThrow(/invalid service CIDR/);
    expect(() => parseServiceCidr('10.96.0.0/31')).toThrow(InvalidCidrError);
  });

  it('computes addresses and membership', () => {
    const c = parseCidr('10.96.0.0/12');
    expect(cidrAddress(c, 10)).toBe('10.96.0.10');
    expect(cidrContains(c, '10.111.255.255')).toBe(true);
    expect(cidrContains(c, '10.112.0.0')).toBe(false);
    expect(cidrContains(c, '10.95.255.255')).toBe(false);
    expect(cidrContains(c, 'None')).toBe(false);
  });
});
