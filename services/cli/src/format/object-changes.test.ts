import type { KubeObject } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { summarizeChange } from './object-changes.js';

const meta = (extra: Record<string, unknown> = {}) => ({ name: 'web-1', namespace: 'default', uid: 'u1', ...extra });

function pod(status: Record<string, unknown>, metaExtra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(metaExtra),
    spec: { nodeName: 'node-1' },
    status,
  } as KubeObject;
}

function endpoints(ips: string[], notReady: string[] = []): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: meta({ name: 'web' }),
    subsets: [
      {
        addresses: ips.map((ip) => ({ ip })),
        ...(notReady.length > 0 ? { notReadyAddresses: notReady.map((ip) => ({ ip })) } : {}),
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    ],
  } as KubeObject;
}

describe('summarizeChange', () => {
  it('says how phase, conditions and container states of a pod changed', () => {
    const before = pod({
      phase: 'Pending',
      conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: 't1' }],
      containerStatuses: [
        { name: 'web', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } },
      ],
    });
    const after = pod({
      phase: 'Running',
      podIP: '10.244.1.7',
      podIPs: [{ ip: '10.244.1.7' }],
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: 't2' }],
      containerStatuses: [{ name: 'web', ready: true, restartCount: 0, state: { running: { startedAt: 't2' } } }],
    });
    expect(summarizeChange('pods', before, after)).toEqual([
      'Ready: False→True',
      'container web: waiting(ContainerCreating)→running',
      'container web ready: false→true',
      'status.phase: Pending→Running',
      'status.podIP: +10.244.1.7',
    ]);
  });

  it('names a set deletionTimestamp and a restart', () => {
    const running = { phase: 'Running', containerStatuses: [{ name: 'web', restartCount: 0, state: { running: {} } }] };
    const restarted = {
      phase: 'Running',
      containerStatuses: [{ name: 'web', restartCount: 1, state: { running: {} } }],
    };
    expect(
      summarizeChange(
        'pods',
        pod(running),
        pod(restarted, { deletionTimestamp: '2026-11-26T10:00:00Z', deletionGracePeriodSeconds: 30 }),
      ),
    ).toEqual(['deletionTimestamp set', 'metadata.deletionGracePeriodSeconds: +30', 'container web restarts: 0→1']);
  });

  it('lists endpoints addresses added and removed', () => {
    const before = endpoints(['10.244.1.7', '10.244.2.4']);
    const after = endpoints(['10.244.2.4', '10.244.2.5'], ['10.244.1.7']);
    expect(summarizeChange('endpoints', before, after)).toEqual([
      '10.244.1.7:8080: ready→notReady',
      '+10.244.2.5:8080',
    ]);
    expect(summarizeChange('endpoints', after, before)).toEqual([
      '10.244.1.7:8080: notReady→ready',
      '-10.244.2.5:8080',
    ]);
  });

  it('describes a new endpoints object by its addresses and a new pod by node and phase', () => {
    expect(summarizeChange('endpoints', undefined, endpoints(['10.244.1.7']))).toEqual(['+10.244.1.7:8080']);
    expect(summarizeChange('pods', undefined, pod({ phase: 'Pending' }))).toEqual([
      'node: node-1',
      'status.phase: Pending',
    ]);
  });

  it('shows spec changes as path: old→new', () => {
    const dep = (replicas: number) =>
      ({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: meta({ name: 'web' }),
        spec: { replicas },
      }) as KubeObject;
    expect(summarizeChange('deployments', dep(3), dep(5))).toEqual(['spec.replicas: 3→5']);
  });

  it('folds a heartbeat-only node update into one word', () => {
    const node = (t: string) =>
      ({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'node-1', uid: 'n1' },
        status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: t }] },
      }) as KubeObject;
    expect(summarizeChange('nodes', node('t1'), node('t2'))).toEqual(['heartbeat']);
    const lease = (t: string) =>
      ({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: meta({ name: 'node-1' }),
        spec: { renewTime: t },
      }) as KubeObject;
    expect(summarizeChange('leases', lease('t1'), lease('t2'))).toEqual(['heartbeat']);
  });

  it('compares endpoint slice addresses with their conditions', () => {
    const slice = (ready: boolean) =>
      ({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: meta({ name: 'web-abc' }),
        endpoints: [{ addresses: ['10.244.1.7'], conditions: { ready, serving: ready, terminating: !ready } }],
        ports: [{ port: 8080 }],
      }) as KubeObject;
    expect(summarizeChange('endpointslices', slice(true), slice(false))).toEqual([
      '10.244.1.7: ready,serving→terminating',
    ]);
  });
});
