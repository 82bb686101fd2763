import { describe, expect, it } from 'vitest';
import { apiserverSans, opensslConfig } from './cluster-pki.js';

describe('opensslConfig', () => {
  const conf = opensslConfig('demo', {
    ips: [...apiserverSans({ hostIp: '10.253.7.10', serviceIp: '10.96.0.1' }).ips, '10.253.7.11'],
    dns: ['kubernetes', 'nats-1'],
  });
  const section = (name: string) => conf.split(`[${name}]\n`)[1]?.split('\n[')[0] ?? '';

  it('gives the apiserver a serving certificate only', () => {
    expect(section('v3_server')).toContain('extendedKeyUsage = serverAuth\n');
  });

  it('lets the NATS certificate serve and also authenticate a route peer (clustered servers verify each other)', () => {
    expect(section('v3_peer')).toContain('extendedKeyUsage = serverAuth,clientAuth');
    expect(section('v3_peer')).toContain('subjectAltName = @alt');
  });

  it('names every address and name of the servers', () => {
    expect(section('alt')).toContain('IP.4 = 10.253.7.11');
    expect(section('alt')).toContain('DNS.2 = nats-1');
  });
});
