import type { Node } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { desiredNode, type NodeFacts } from './node-registration.js';
import { kubeArch, prettyName } from './node-facts.js';

const facts: NodeFacts = {
  name: 'node-1',
  internalIP: '10.250.0.11',
  podCIDR: '10.244.1.0/24',
  kernelVersion: '6.1.0',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  architecture: 'amd64',
  cpu: '2',
  memory: '8000000Ki',
  pods: '110',
  machineID: 'm',
  bootID: 'b',
  systemUUID: 's',
};
const T1 = '2025-01-01T00:00:00.000Z';
const T2 = '2025-01-01T00:00:10.000Z';

describe('desiredNode', () => {
  it('leaves spec.podCIDR to the node IPAM controller when started without one', () => {
    const fresh = desiredNode(undefined, { ...facts, podCIDR: undefined }, T1);
    expect(fresh.spec).toEqual({});
    const assigned = { ...fresh, spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] } };
    expect(desiredNode(assigned, { ...facts, podCIDR: undefined }, T2).spec).toEqual(assigned.spec);
  });

  it('registers a Ready node with labels, podCIDR, addresses, capacity and nodeInfo', () => {
    const n = desiredNode(undefined, facts, T1);
    expect(n.metadata).toMatchObject({
      name: 'node-1',
      creationTimestamp: T1,
      labels: { 'kubernetes.io/hostname': 'node-1', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' },
    });
    expect(n.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(n.spec).toEqual({ podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] });
    expect(n.status?.addresses).toEqual([
      { type: 'InternalIP', address: '10.250.0.11' },
      { type: 'Hostname', address: 'node-1' },
    ]);
    expect(n.status?.capacity).toMatchObject({ cpu: '2', memory: '8000000Ki', pods: '110' });
    expect(n.status?.nodeInfo).toMatchObject({
      kubeletVersion: 'v1.32.4',
      containerRuntimeVersion: 'kemu://0.1.0',
      kernelVersion: '6.1.0',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      architecture: 'amd64',
      operatingSystem: 'linux',
    });
    expect(n.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
      ['Ready', 'True', 'KubeletReady'],
    ]);
  });

  it('refreshes heartbeats, keeps transition times and what others own', () => {
    const first = desiredNode(undefined, facts, T1);
    const cordoned: Node = {
      ...first,
      metadata: { ...first.metadata, labels: { ...first.metadata.labels, role: 'web' } },
      spec: { ...first.spec, unschedulable: true, taints: [{ key: 'k', effect: 'NoSchedule' }] },
    };
    const next = desiredNode(cordoned, facts, T2);
    const ready = next.status?.conditions?.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ lastHeartbeatTime: T2, lastTransitionTime: T1 });
    expect(next.spec).toMatchObject({ unschedulable: true, taints: [{ key: 'k', effect: 'NoSchedule' }] });
    expect(next.metadata.labels?.role).toBe('web');
    expect(next.metadata.uid).toBe(first.metadata.uid);
  });

  it('turns Ready back to True with a new transition time after the controller marked it Unknown', () => {
    const first = desiredNode(undefined, facts, T1);
    const unknown: Node = {
      ...first,
      status: {
        ...first.status,
        conditions: first.status?.conditions?.map((c) =>
          c.type === 'Ready' ? { ...c, status: 'Unknown' as const } : c,
        ),
      },
    };
    const ready = desiredNode(unknown, facts, T2).status?.conditions?.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'True', lastTransitionTime: T2 });
  });

  it('derives OS facts', () => {
    expect(prettyName('NAME="Debian"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')).toBe(
      'Debian GNU/Linux 12 (bookworm)',
    );
    expect(kubeArch('x64')).toBe('amd64');
  });
});
