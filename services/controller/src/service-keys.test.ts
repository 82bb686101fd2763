import type { Pod } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { podEndpointsChanged } from './service-keys.js';

const running: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default', uid: 'u1', labels: { app: 'web' } },
  spec: { nodeName: 'node-1', containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }] },
  status: {
    phase: 'Running',
    podIP: '10.244.1.2',
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: [{ name: 'web', ready: true, restartCount: 0, image: 'nginx', imageID: '', state: {} }],
  },
} as Pod;

const withStatus = (status: Partial<NonNullable<Pod['status']>>): Pod => ({
  ...running,
  status: { ...running.status, ...status },
});

describe('podEndpointsChanged', () => {
  it('ignores updates that endpoints do not show', () => {
    expect(podEndpointsChanged(running, { ...running })).toBe(false);
    const restarted = withStatus({
      containerStatuses: [{ name: 'web', ready: true, restartCount: 3, image: 'nginx', imageID: '', state: {} }],
    });
    expect(podEndpointsChanged(running, restarted)).toBe(false);
    const annotated = { ...running, metadata: { ...running.metadata, annotations: { a: 'b' }, resourceVersion: '9' } };
    expect(podEndpointsChanged(running, annotated)).toBe(false);
  });

  it('sees readiness, IP, labels, deletion, phase and node', () => {
    expect(podEndpointsChanged(running, withStatus({ conditions: [{ type: 'Ready', status: 'False' }] }))).toBe(true);
    expect(podEndpointsChanged(running, withStatus({ podIP: '10.244.1.3' }))).toBe(true);
    expect(podEndpointsChanged(running, withStatus({ phase: 'Failed' }))).toBe(true);
    expect(
      podEndpointsChanged(running, { ...running, metadata: { ...running.metadata, labels: { app: 'api' } } }),
    ).toBe(true);
    const deleting = { ...running, metadata: { ...running.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
    expect(podEndpointsChanged(running, deleting)).toBe(true);
    expect(podEndpointsChanged(running, { ...running, spec: { ...running.spec, nodeName: 'node-2' } })).toBe(true);
  });
});
