import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromEnv } from './config.js';

const base = { KEMU_NODE: 'node-1', KEMU_NATS_URL: 'nats://10.250.0.1:4222' };

describe('dns config', () => {
  it('fills the defaults, computing the listen address and the kube-dns ClusterIP', () => {
    expect(configFromEnv({ ...base, KEMU_NODE_IP: '10.250.0.2' })).toMatchObject({
      listen: { host: '10.250.0.2', port: 53 },
      domain: 'cluster.local',
      ttl: 5,
      upstream: undefined,
      queryLog: true,
      metricsPort: 9153,
      clusterDNS: '10.96.0.10',
      publish: true,
    });
    expect(configFromEnv(base).listen).toEqual({ host: '127.0.0.1', port: 53 });
    expect(configFromEnv({ ...base, KEMU_SERVICE_CIDR: '10.100.0.0/16' }).clusterDNS).toBe('10.100.0.10');
  });

  it('reads the listen address, upstream and flags', () => {
    const c = configFromEnv({
      ...base,
      KEMU_DNS_LISTEN: '127.0.0.1:5353',
      KEMU_DNS_UPSTREAM: '10.0.0.53:53',
      KEMU_DNS_QUERY_LOG: 'false',
      KEMU_DNS_PUBLISH: 'false',
    });
    expect(c).toMatchObject({
      listen: { host: '127.0.0.1', port: 5353 },
      upstream: { host: '10.0.0.53', port: 53 },
      queryLog: false,
      publish: false,
    });
  });

  it('requires its node and NATS, and refuses a TTL that is not a whole number', () => {
    expect(() => configFromEnv({ KEMU_NATS_URL: base.KEMU_NATS_URL })).toThrow('KEMU_NODE is required');
    expect(() => configFromEnv({ KEMU_NODE: 'node-1' })).toThrow('KEMU_NATS_URL is required');
    expect(() => configFromEnv({ ...base, KEMU_DNS_TTL: 'five' })).toThrow(
      'KEMU_DNS_TTL must be integer 0-3600, got "five"',
    );
  });

  it('refuses to start without its node, exiting 2 with the variable named (no silent node-1)', () => {
    const main = join(import.meta.dirname, '..', 'dist', 'main.js');
    const r = spawnSync(process.execPath, [main], {
      env: { KEMU_NATS_URL: base.KEMU_NATS_URL },
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('dns: KEMU_NODE is required (string)\n');
  });
});
