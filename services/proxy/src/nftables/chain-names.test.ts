import { describe, expect, it } from 'vitest';
import {
  affinitySetName,
  endpointChainName,
  hashAndTruncate,
  isServiceChainName,
  portNameOf,
  serviceChainName,
} from './chain-names.js';

describe('chain names', () => {
  const ref = { namespace: 'ns1', name: 'svc1', portName: 'p80', protocol: 'TCP' as const };

  it('hashes the way kube-proxy does (the examples in its proxier.go)', () => {
    expect(hashAndTruncate('ns1/svc1/tcp/p80')).toBe('ULMVA6XW-ns1/svc1/tcp/p80');
    expect(serviceChainName(ref)).toBe('service-ULMVA6XW-ns1/svc1/tcp/p80');
    expect(endpointChainName(ref, '10.180.0.1:80')).toBe('endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80');
    expect(affinitySetName(ref, '10.180.0.1:80')).toBe('affinity-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80');
  });

  it('truncates a name past 240 characters and keeps the hash of the whole', () => {
    const long = `${'n'.repeat(63)}/${'s'.repeat(63)}/tcp/${'p'.repeat(63)}__10.0.0.1/80${'x'.repeat(60)}`;
    const out = hashAndTruncate(long);
    expect(out.length).toBe(240);
    expect(out.endsWith('...')).toBe(true);
    expect(out.slice(0, 9)).not.toBe(hashAndTruncate(`${long}y`).slice(0, 9));
  });

  it('reads the port name of a ServicePortName and tells service chains from fixed ones', () => {
    expect(portNameOf('default/web:http')).toBe('http');
    expect(portNameOf('default/web')).toBe('');
    expect(isServiceChainName(serviceChainName(ref))).toBe(true);
    expect(isServiceChainName('nat-prerouting')).toBe(false);
  });
});
