import type { Node, Pod } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { insufficientResources, nodeAllocatable, podRequests, usagePerNode } from './node-fit.js';
import { pickNode, unschedulableMessage } from './pick-node.js';

const GI = 1024 ** 3;
const node = (name: string, allocatable: Record<string, string> = { cpu: '2', memory: '4Gi', pods: '110' }): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  spec: {},
  status: { conditions: [{ type: 'Ready', status: 'True' }], allocatable },
});
const pod = (name: string, requests: Record<string, string>, nodeName?: string, phase?: 'Running' | 'Failed'): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests } }], ...(nodeName ? { nodeName } : {}) },
  status: phase ? { phase } : {},
});
const keyOf = (p: Pod) => `pods/default/${p.metadata.name}`;
const isTerminal = (p: Pod) => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';

describe('podRequests', () => {
  it('sums container requests in millicores and bytes, defaulting a request to its limit', () => {
    const p: Pod = {
      ...pod('a', {}),
      spec: {
        containers: [
          { name: 'a', image: 'x', resources: { requests: { cpu: '250m', memory: '64Mi' } } },
          { name: 'b', image: 'x', resources: { limits: { cpu: '1', memory: '1Gi' } } },
          { name: 'c', image: 'x' },
        ],
      },
    };
    expect(podRequests(p)).toEqual({ cpu: 1250, memory: 64 * 1024 ** 2 + GI, pods: 1 });
  });

  it('takes the largest init container when it asks for more than the containers', () => {
    const p: Pod = {
      ...pod('a', { cpu: '100m' }),
      spec: {
        containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '100m' } } }],
        initContainers: [{ name: 'i', image: 'x', resources: { requests: { cpu: '500m', memory: '1Mi' } } }],
      },
    };
    expect(podRequests(p)).toEqual({ cpu: 500, memory: 1024 ** 2, pods: 1 });
  });
});

describe('nodeAllocatable', () => {
  it('reads cpu, memory and pods from the node status', () => {
    expect(nodeAllocatable(node('n'))).toEqual({ cpu: 2000, memory: 4 * GI, pods: 110 });
  });
});

describe('insufficientResources', () => {
  it('names every resource the node lacks', () => {
    const alloc = { cpu: 1000, memory: GI, pods: 2 };
    expect(
      insufficientResources({ cpu: 500, memory: GI / 2, pods: 1 }, { cpu: 500, memory: GI / 2, pods: 1 }, alloc),
    ).toEqual([]);
    expect(insufficientResources({ cpu: 600, memory: GI, pods: 1 }, { cpu: 500, memory: 1, pods: 2 }, alloc)).toEqual([
      'Too many pods',
      'Insufficient cpu',
      'Insufficient memory',
    ]);
  });
});

describe('usagePerNode', () => {
  it('sums requests of non-terminal bound pods and of assumed bindings', () => {
    const pods = [
      pod('a', { memory: '1Gi' }, 'n1', 'Running'),
      pod('b', { memory: '3Gi' }, 'n1', 'Failed'),
      pod('c', { cpu: '1' }),
    ];
    const usage = usagePerNode(pods, new Map([['pods/default/c', 'n1']]), keyOf, isTerminal);
    expect(usage.get('n1')).toEqual({ cpu: 1000, memory: GI, pods: 2 });
  });
});

describe('scheduling by requests', () => {
  const nodes = [node('node-1'), node('node-2'), node('node-3')];

  it('skips nodes without room and picks one that fits', () => {
    const pods = [pod('a', { memory: '3Gi' }, 'node-1'), pod('b', { memory: '3Gi' }, 'node-2')];
    const usage = usagePerNode(pods, new Map(), keyOf, isTerminal);
    expect(pickNode(nodes, usage, podRequests(pod('c', { memory: '2Gi' })))).toBe('node-3');
  });

  it('explains an unschedulable pod like the Kubernetes scheduler', () => {
    const request = podRequests(pod('big', { memory: '5Gi' }));
    expect(pickNode(nodes, new Map(), request)).toBeUndefined();
    expect(unschedulableMessage(nodes, new Map(), request)).toBe(
      '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod..',
    );
  });

  it('counts mixed reasons per node, sorted', () => {
    const mixed = [node('node-1'), node('node-2', { cpu: '500m', memory: '8Gi', pods: '110' }), node('node-3')];
    mixed[2] = { ...mixed[2], spec: { unschedulable: true } } as Node;
    const message = unschedulableMessage(mixed, new Map(), podRequests(pod('p', { cpu: '1', memory: '5Gi' })));
    expect(message).toBe(
      '0/3 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod..',
    );
  });
});
