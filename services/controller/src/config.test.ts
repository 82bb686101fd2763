import { describe, expect, it } from 'vitest';
import { configFromEnv } from './config.js';

describe('controller config', () => {
  it('fills the defaults', () => {
    const c = configFromEnv({});
    expect(c).toMatchObject({
      natsUrl: ['nats://127.0.0.1:4222'],
      nodeGraceMs: 40_000,
      podEvictionMs: 300_000,
      terminatedPodGcThreshold: 12_500,
      snapshots: { everyEvents: 5_000, everyBytes: 16 * 1024 * 1024, everyMs: 600_000, keep: 3 },
    });
    expect(c.podCidrRange).toEqual({ clusterCidr: { network: 0x0af40000, prefixLength: 16 }, nodeMaskSize: 24 });
  });

  it('reads the snapshot settings, and no writer when every trigger is 0', () => {
    expect(
      configFromEnv({
        KEMU_SNAPSHOT_EVERY_EVENTS: '200',
        KEMU_SNAPSHOT_EVERY_BYTES: '1048576',
        KEMU_SNAPSHOT_INTERVAL_SECONDS: '30',
        KEMU_SNAPSHOT_KEEP: '5',
      }).snapshots,
    ).toEqual({ everyEvents: 200, everyBytes: 1_048_576, everyMs: 30_000, keep: 5 });
    expect(
      configFromEnv({
        KEMU_SNAPSHOT_EVERY_EVENTS: '0',
        KEMU_SNAPSHOT_EVERY_BYTES: '0',
        KEMU_SNAPSHOT_INTERVAL_SECONDS: '0',
      }).snapshots,
    ).toBe(undefined);
    expect(() => configFromEnv({ KEMU_SNAPSHOT_KEEP: '0' })).toThrow('KEMU_SNAPSHOT_KEEP must be integer ≥ 1, got "0"');
  });

  it('refuses bad values naming the variable', () => {
    expect(() => configFromEnv({ KEMU_NODE_GRACE_SECONDS: 'forty' })).toThrow(
      'KEMU_NODE_GRACE_SECONDS must be seconds > 0, got "forty"',
    );
    expect(() => configFromEnv({ KEMU_TERMINATED_POD_GC_THRESHOLD: '1.5' })).toThrow(
      /KEMU_TERMINATED_POD_GC_THRESHOLD/,
    );
    expect(() => configFromEnv({ KEMU_CLUSTER_CIDR: '10.244.0.0/16', KEMU_NODE_CIDR_MASK_SIZE: '12' })).toThrow(
      'KEMU_NODE_CIDR_MASK_SIZE must be 16-30 for KEMU_CLUSTER_CIDR 10.244.0.0/16, got 12',
    );
  });
});
