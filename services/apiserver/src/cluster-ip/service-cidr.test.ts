import { describe, expect, it } from 'vitest';
import { cidrSize, intToIpv4, ipv4ToInt, parseCidr } from '@kemu/api';
import { inRange, pickDynamicIp, rangeOffset, reservedIps } from './service-cidr.js';

describe('service CIDR', () => {
  it('computes the static band offset like Kubernetes', () => {
    expect(rangeOffset(1 << 20)).toBe(256);
    expect(rangeOffset(256)).toBe(16);
    expect(rangeOffset(16)).toBe(0);
    expect(rangeOffset(1024)).toBe(64);
  });

  it('never treats the network or broadcast address as in range', () => {
    const c = parseCidr('10.96.0.0/12');
    expect(inRange(c, '10.96.0.0')).toBe(false);
    expect(inRange(c, '10.111.255.255')).toBe(false);
    expect(inRange(c, '10.111.255.254')).toBe(true);
    expect(inRange(c, '10.112.0.1')).toBe(false);
    expect(inRange(c, 'None')).toBe(false);
  });

  it('picks dynamic addresses in the upper band, never reserved ones', () => {
    const c = parseCidr('10.96.0.0/12');
    for (let i = 0; i < 200; i++) {
      const ip = pickDynamicIp(c, () => false);
      expect(ip).toBeDefined();
      const off = (ipv4ToInt(ip as string) as number) - c.network;
      expect(off).toBeGreaterThanOrEqual(256);
      expect(off).toBeLessThan(cidrSize(c) - 1);
    }
    expect([...reservedIps(c).keys()]).toEqual(['10.96.0.1', '10.96.0.10']);
  });

  it('falls back to the lower band and then reports a full range', () => {
    const c = parseCidr('10.0.0.0/27'); // 32 addresses, offset 16
    const taken = new Set<string>();
    for (let off = 16; off <= 30; off++) taken.add(intToIpv4(c.network + off));
    const picks = new Set<string>();
    for (;;) {
      const ip = pickDynamicIp(c, (x) => taken.has(x));
      if (!ip) break;
      picks.add(ip);
      taken.add(ip);
    }
    // 30 usable addresses, 15 upper taken, .1 and .10 reserved: 13 left in the lower band.
    expect(picks.size).toBe(13);
    expect(picks.has('10.0.0.1')).toBe(false);
    expect(picks.has('10.0.0.10')).toBe(false);
    expect(picks.has('10.0.0.0')).toBe(false);
  });
});
