import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromEnv } from './config.js';

const base = { KEMU_NODE: 'node-1', KEMU_NATS_URL: 'nats://10.250.0.1:4222', KEMU_NODE_IP: '10.250.0.2' };

describe('node-agent config', () => {
  it('fills the defaults', () => {
    const c = configFromEnv(base, '/repo/services/node-agent/dist');
    expect(c).toMatchObject({
      cluster: 'local',
      stateDir: resolve('.kemu/local'),
      workloadEntry: '/repo/services/pod-workload/dist/main.js',
      heartbeatMs: 10_000,
      clusterDNS: '10.96.0.10',
      clusterDomain: 'cluster.local',
      podCIDR: undefined,
      cpu: '2',
      memory: '4Gi',
      pods: '110',
      etcNetnsDir: '/etc/netns',
    });
  });

  it('requires its node, NATS and node IP', () => {
    expect(() => configFromEnv({ ...base, KEMU_NODE_IP: '' }, '.')).toThrow('KEMU_NODE_IP is required');
    expect(() => configFromEnv({ ...base, KEMU_NATS_URL: undefined }, '.')).toThrow('KEMU_NATS_URL is required');
  });

  it('parses the service CIDR as a service CIDR, not as a pod CIDR', () => {
    expect(() => configFromEnv({ ...base, KEMU_SERVICE_CIDR: '10.96.0.0' }, '.')).toThrow(
      'KEMU_SERVICE_CIDR must be an IPv4 CIDR such as 10.96.0.0/12, got "10.96.0.0"',
    );
    expect(() => configFromEnv({ ...base, KEMU_SERVICE_CIDR: '10.0.0.0/8' }, '.')).toThrow(
      'specified KEMU_SERVICE_CIDR is too large; for 32-bit addresses, the mask must be >= 12',
    );
    expect(configFromEnv({ ...base, KEMU_SERVICE_CIDR: '10.100.0.0/16' }, '.').clusterDNS).toBe('10.100.0.10');
  });

  it('refuses a bad heartbeat, pod CIDR or quantity', () => {
    expect(() => configFromEnv({ ...base, KEMU_NODE_HEARTBEAT_SECONDS: '0' }, '.')).toThrow(
      'KEMU_NODE_HEARTBEAT_SECONDS must be seconds > 0, got "0"',
    );
    expect(() => configFromEnv({ ...base, KEMU_POD_CIDR: '10.244.1.0' }, '.')).toThrow(/^KEMU_POD_CIDR must be/);
    expect(() => configFromEnv({ ...base, KEMU_NODE_MEMORY: '4 GB' }, '.')).toThrow(
      'KEMU_NODE_MEMORY must be Kubernetes quantity, got "4 GB"',
    );
  });
});
