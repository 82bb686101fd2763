import { formatCidr } from '@kemu/api';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromEnv } from './config.js';

const base = { KEMU_NODE: 'node-1', KEMU_NATS_URL: 'nats://10.250.0.1:4222' };

describe('proxy config', () => {
  it('fills the defaults', () => {
    const c = configFromEnv(base);
    expect(c).toMatchObject({
      node: 'node-1',
      natsUrl: ['nats://10.250.0.1:4222'],
      nodeIP: undefined,
      udpIdleTimeoutMs: 30_000,
      metricsLogMs: 60_000,
      debugPort: 10249,
      logLevel: 'info',
      streamReplicas: 1,
    });
    expect(formatCidr(c.serviceCidr)).toBe('10.96.0.0/12');
  });

  it('requires KEMU_NODE and KEMU_NATS_URL, as the node-agent does (no silent node-1 or local NATS)', () => {
    expect(() => configFromEnv({ KEMU_NATS_URL: base.KEMU_NATS_URL })).toThrow('KEMU_NODE is required');
    expect(() => configFromEnv({ KEMU_NODE: 'node-1' })).toThrow('KEMU_NATS_URL is required');
  });

  it('refuses a timeout that is not a number instead of running with NaN', () => {
    expect(() => configFromEnv({ ...base, KEMU_PROXY_UDP_IDLE_TIMEOUT_MS: '30s' })).toThrow(
      'KEMU_PROXY_UDP_IDLE_TIMEOUT_MS must be milliseconds > 0, got "30s"',
    );
    expect(() => configFromEnv({ ...base, KEMU_SERVICE_CIDR: '10.0.0.0/8' })).toThrow(
      'specified KEMU_SERVICE_CIDR is too large; for 32-bit addresses, the mask must be >= 12',
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
    expect(r.stderr).toBe('kube-proxy: KEMU_NODE is required (string)\n');
  });
});
