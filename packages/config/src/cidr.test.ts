import { describe, expect, it } from 'vitest';
import { formatCidr } from '@kemu/api';
import { ipv4Address, ipv4Cidr, serviceCidrVar } from './cidr.js';
import { ConfigError } from './config-error.js';

describe('CIDR variables', () => {
  it('reads KEMU_SERVICE_CIDR with the default 10.96.0.0/12', () => {
    expect(formatCidr(serviceCidrVar.read(undefined))).toBe('10.96.0.0/12');
    expect(formatCidr(serviceCidrVar.read('10.100.0.0/16'))).toBe('10.100.0.0/16');
  });

  it("refuses a Service range wider than /12 with kube-apiserver's message", () => {
    expect(() => serviceCidrVar.read('10.0.0.0/8')).toThrow(ConfigError);
    expect(() => serviceCidrVar.read('10.0.0.0/8')).toThrow(
      'specified KEMU_SERVICE_CIDR is too large; for 32-bit addresses, the mask must be >= 12',
    );
  });

  it('says a malformed Service range is not a CIDR, naming the variable (not "pod CIDR")', () => {
    expect(() => serviceCidrVar.read('10.96.0.0')).toThrow(
      'KEMU_SERVICE_CIDR must be an IPv4 CIDR such as 10.96.0.0/12, got "10.96.0.0"',
    );
    expect(() => serviceCidrVar.read('10.96.0.0/31')).toThrow(/KEMU_SERVICE_CIDR is too small/);
  });

  it('bounds the prefix of a pod CIDR and checks addresses', () => {
    const spec = ipv4Cidr({ env: 'KEMU_POD_CIDR', minPrefix: 8, maxPrefix: 30, meaning: '' });
    expect(spec.read('10.244.1.0/24')).toEqual({ network: 0x0af40100, prefixLength: 24 });
    expect(() => spec.read('10.244.1.0/31')).toThrow('KEMU_POD_CIDR must be IPv4 CIDR /8-/30, got "10.244.1.0/31"');
    const ip = ipv4Address({ env: 'KEMU_NODE_IP', meaning: '' });
    expect(ip.read('10.250.0.2')).toBe('10.250.0.2');
    expect(() => ip.read('10.250.0')).toThrow('KEMU_NODE_IP must be IPv4 address, got "10.250.0"');
  });
});
