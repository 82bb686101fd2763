import type { Node } from '@kemu/api';
import { node as testNode } from '@kemu/testkit';
import { describe, expect, it } from 'vitest';
import { desiredPodRoutes, planPodRoutes } from './pod-routes.js';

/** A Ready node with the pod CIDR and InternalIP given (either may be missing). */
const node = (name: string, podCIDR?: string, ip?: string): Node => testNode(name, { podCIDR, ip });

describe('desiredPodRoutes and planPodRoutes', () => {
  it('routes every other node that has a pod CIDR and an InternalIP', () => {
    const nodes = [
      node('node-1', '10.244.1.0/24', '10.250.0.11'),
      node('node-2', '10.244.2.0/24', '10.250.0.12'),
      node('node-3', undefined, '10.250.0.13'),
      node('node-4', '10.244.0.0/24', undefined),
    ];
    expect(desiredPodRoutes(nodes, 'node-1', '10.244.1.0/24')).toEqual([{ cidr: '10.244.2.0/24', via: '10.250.0.12' }]);
  });

  it('leaves hollow nodes out: their pod CIDRs stay unreachable', () => {
    const hollow = testNode('hollow-1', {
      podCIDR: '10.244.255.0/24',
      ip: '127.0.0.1',
      labels: { 'kemu.dev/hollow': 'true' },
    });
    expect(desiredPodRoutes([node('node-2', '10.244.2.0/24', '10.250.0.12'), hollow], 'node-1')).toEqual([
      { cidr: '10.244.2.0/24', via: '10.250.0.12' },
    ]);
  });

  it('plans new and repointed routes and removes those of nodes that are gone', () => {
    const plan = planPodRoutes(
      [
        { cidr: '10.244.2.0/24', via: '10.250.0.12' },
        { cidr: '10.244.3.0/24', via: '10.250.0.33' },
      ],
      [
        { cidr: '10.244.3.0/24', via: '10.250.0.13' },
        { cidr: '10.244.9.0/24', via: '10.250.0.19' },
      ],
    );
    expect(plan).toEqual({
      replace: [
        { cidr: '10.244.2.0/24', via: '10.250.0.12' },
        { cidr: '10.244.3.0/24', via: '10.250.0.33' },
      ],
      remove: ['10.244.9.0/24'],
    });
  });
});
