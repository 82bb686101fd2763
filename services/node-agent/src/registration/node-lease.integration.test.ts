import type { Node } from '@kemu/api';
import { getObject } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { startEventLogFixture } from '@kemu/testkit';
import { describe, expect, it } from 'vitest';
import { createNodeLease, microTime } from './node-lease.js';

const log = createLogger({ component: 'test', level: 'silent' });
const leaseKey = { resource: 'leases', namespace: 'kube-node-lease', name: 'node-1' };

describe('node lease', () => {
  it('writes micro times as metav1.MicroTime', () => {
    expect(microTime(Date.parse('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02T03:04:05.678000Z');
  });

  it('creates the lease owned by the Node and renews it in place', async () => {
    await using fx = await startEventLogFixture({ component: 'node-agent', node: 'node-1' });
    const { informer, api: writer } = fx;
    const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', uid: 'n-uid' }, spec: {} };
    await writer.put({ resource: 'nodes', namespace: '', name: 'node-1' }, node, 0);
    let now = Date.parse('2026-01-02T03:04:05Z');
    const lease = createNodeLease({
      writer,
      view: informer.view,
      node: 'node-1',
      renewMs: 10_000,
      log,
      clock: () => now,
    });
    await lease.renew();
    const first = getObject(informer.view, leaseKey);
    expect(first).toMatchObject({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: 'node-1',
        namespace: 'kube-node-lease',
        creationTimestamp: '2026-01-02T03:04:05Z',
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'node-1', uid: 'n-uid' }],
      },
      spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: '2026-01-02T03:04:05.000000Z' },
    });
    now += 10_000;
    await lease.renew();
    const second = getObject(informer.view, leaseKey);
    expect(second?.spec.renewTime).toBe('2026-01-02T03:04:15.000000Z');
    expect(second?.metadata.creationTimestamp).toBe('2026-01-02T03:04:05Z');
    expect(second?.metadata.uid).toBe(first?.metadata.uid);
    expect(first?.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(second?.metadata.resourceVersion)).toBeGreaterThan(Number(first?.metadata.resourceVersion));
  });
});
