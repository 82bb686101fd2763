import { describe, expect, it } from 'vitest';
import { intToIpv4, ipv4ToInt } from './ipv4.js';

describe('ipv4', () => {
  it('converts dotted quads and back, and refuses what is not one', () => {
    expect(ipv4ToInt('10.96.0.1')).toBe(0x0a600001);
    expect(ipv4ToInt('255.255.255.255')).toBe(0xffffffff);
    expect(intToIpv4(0x0a600001)).toBe('10.96.0.1');
    expect(intToIpv4(0xffffffff)).toBe('255.255.255.255');
    for (const bad of ['10.96.0', '10.96.0.256', '10.96.0.x', '', '1.2.3.4.5', '-1.2.3.4', '10.96.0.01'])
      expect(ipv4ToInt(bad)).toBeUndefined();
  });
});
