import type { Node, ObjectKey } from '@kemu/api';
import { getObject } from '@kemu/eventlog';
import { type EventLogFixture, eventually, node as testNode, startEventLogFixture } from '@kemu/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ControllerManager, createControllerManager } from './controller-manager.js';
import { reconcileNodePodCidr } from './node-ipam-controller.js';
import { podCidrRange } from './pod-cidr-allocator.js';

const nodeKey = (name: string): ObjectKey => ({ resource: 'nodes', namespace: '', name });
const node = (name: string, podCIDR?: string): Node => testNode(name, { podCIDR });

describe('reconcileNodePodCidr', () => {
  const range = podCidrRange('10.244.0.0/16', 24);

  it('leaves a node that has a pod CIDR alone', () => {
    expect(reconcileNodePodCidr(node('a', '10.244.7.0/24'), [], range)).toBeUndefined();
  });

  it('gives a node without one the lowest block the other nodes do not hold', () => {
    const others = [node('n1', '10.244.1.0/24'), node('n0', '10.244.0.0/24')];
    const next = reconcileNodePodCidr(node('x'), others, range);
    expect(next?.spec.podCIDR).toBe('10.244.2.0/24');
    expect(next?.spec.podCIDRs).toEqual(['10.244.2.0/24']);
  });
});

describe('node IPAM controller on a real event log', () => {
  let fx: EventLogFixture;
  let manager: ControllerManager;

  beforeEach(async () => {
    fx = await startEventLogFixture();
    const c = await fx.connectWithInformer('controller');
    manager = createControllerManager({ ...c, log: fx.log, podCidrRange: podCidrRange('10.244.0.0/16', 24) });
    await manager.run();
  });

  afterEach(async () => {
    await manager.stop();
    await fx.close();
  });

  const podCidrOf = (name: string) => getObject(fx.informer.view, nodeKey(name))?.spec.podCIDR;

  it('allocates free /24s around the CIDRs nodes brought, and frees the block of a deleted node', async () => {
    await fx.api.put(nodeKey('node-1'), node('node-1', '10.244.1.0/24'));
    await fx.api.put(nodeKey('node-2'), node('node-2', '10.244.2.0/24'));
    await fx.api.put(nodeKey('node-4'), node('node-4'));
    expect(await eventually(() => podCidrOf('node-4'), { what: 'node-4 podCIDR' })).toBe('10.244.0.0/24');
    await fx.api.put(nodeKey('node-5'), node('node-5'));
    expect(await eventually(() => podCidrOf('node-5'), { what: 'node-5 podCIDR' })).toBe('10.244.3.0/24');
    const n4 = getObject(fx.informer.view, nodeKey('node-4'));
    expect(n4?.spec.podCIDRs).toEqual(['10.244.0.0/24']);

    await fx.api.remove(nodeKey('node-4'), n4 as Node);
    await fx.api.put(nodeKey('node-6'), node('node-6'));
    expect(await eventually(() => podCidrOf('node-6'), { what: 'node-6 podCIDR' })).toBe('10.244.0.0/24');
    // Nodes that brought their CIDR keep it.
    expect(podCidrOf('node-1')).toBe('10.244.1.0/24');
    expect(podCidrOf('node-2')).toBe('10.244.2.0/24');
  });
});
