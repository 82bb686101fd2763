import { describe, expect, it } from 'vitest';
import { ipv4Address, ipv4Cidr, parseIpv4Cidr, serviceCidrVar } from './cidr.js';
import { ConfigError } from './config-error.js';

describe('CIDR variables', () => {
  it('parses an IPv4 CIDR and clears the host bits', () => {
    expect(parseIpv4Cidr('10.96.3.7/12')).toEqual({
      text: '10.96.0.0/12',
      network: 0x0a600000,
      prefixLength: 12,
      size: 2 ** 20,
    });
    for (const bad of ['10.96.0.0', '10.96.0.0/33', '10.96.0/12', '300.0.0.0/8', '10.96.0.0/12/1', 'a/b'])
      expect(parseIpv4Cidr(bad)).toBeUndefined();
  });

  it('reads KEMU_SERVICE_CIDR with the default 10.96.0.0/12', () => {
    expect(serviceCidrVar.read(undefined).text).toBe('10.96.0.0/12');
    expect(serviceCidrVar.read('10.100.0.0/16').text).toBe('10.100.0.0/16');
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
    expect(spec.read('10.244.1.0/24')?.text).toBe('10.244.1.0/24');
    expect(() => spec.read('10.244.1.0/31')).toThrow('KEMU_POD_CIDR must be IPv4 CIDR /8-/30, got "10.244.1.0/31"');
    const ip = ipv4Address({ env: 'KEMU_NODE_IP', meaning: '' });
    expect(ip.read('10.250.0.2')).toBe('10.250.0.2');
    expect(() => ip.read('10.250.0')).toThrow('KEMU_NODE_IP must be IPv4 address, got "10.250.0"');
  });
});
