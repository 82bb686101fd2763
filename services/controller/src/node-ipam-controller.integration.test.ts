import type { Node, ObjectKey } from '@kemu/api';
import {
  type EventLog,
  type Informer,
  type ObjectWriter,
  connectEventLog,
  createObjectWriter,
  getObject,
  startInformer,
} from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { type NatsServer, eventually, startNatsServer } from '@kemu/testkit';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ControllerManager, createControllerManager } from './controller-manager.js';
import { reconcileNodePodCidr } from './node-ipam-controller.js';
import { podCidrRange } from './pod-cidr-allocator.js';

const log = createLogger({ component: 'test', level: 'silent' });
const nodeKey = (name: string): ObjectKey => ({ resource: 'nodes', namespace: '', name });

function node(name: string, podCIDR?: string): Node {
  const t = new Date().toISOString();
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: randomUUID(), creationTimestamp: t },
    spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
    status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: t, lastTransitionTime: t }] },
  };
}

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
  let server: NatsServer;
  let eventLog: EventLog;
  let informer: Informer;
  let api: ObjectWriter;
  let controller: { eventLog: EventLog; informer: Informer; manager: ControllerManager } | undefined;

  beforeEach(async () => {
    server = await startNatsServer();
    eventLog = await connectEventLog({ servers: server.url, name: 'test', log });
    informer = await startInformer(eventLog, { log });
    await informer.synced;
    api = createObjectWriter(eventLog, informer, { component: 'test' });
    const cEventLog = await connectEventLog({ servers: server.url, name: 'controller', log });
    const cInformer = await startInformer(cEventLog, { log });
    const manager = createControllerManager({
      eventLog: cEventLog,
      informer: cInformer,
      log,
      podCidrRange: podCidrRange('10.244.0.0/16', 24),
    });
    await manager.run();
    controller = { eventLog: cEventLog, informer: cInformer, manager };
  });

  afterEach(async () => {
    if (controller) {
      await controller.manager.stop();
      await controller.informer.stop();
      await controller.eventLog.close();
      controller = undefined;
    }
    await informer.stop();
    await eventLog.close();
    await server.stop();
  });

  const podCidrOf = (name: string) => getObject(informer.view, nodeKey(name))?.spec.podCIDR;

  it('allocates free /24s around the CIDRs nodes brought, and frees the block of a deleted node', async () => {
    await api.put(nodeKey('node-1'), node('node-1', '10.244.1.0/24'));
    await api.put(nodeKey('node-2'), node('node-2', '10.244.2.0/24'));
    await api.put(nodeKey('node-4'), node('node-4'));
    expect(await eventually(() => podCidrOf('node-4'), { what: 'node-4 podCIDR' })).toBe('10.244.0.0/24');
    await api.put(nodeKey('node-5'), node('node-5'));
    expect(await eventually(() => podCidrOf('node-5'), { what: 'node-5 podCIDR' })).toBe('10.244.3.0/24');
    const n4 = getObject(informer.view, nodeKey('node-4'));
    expect(n4?.spec.podCIDRs).toEqual(['10.244.0.0/24']);

    await api.remove(nodeKey('node-4'), n4 as Node);
    await api.put(nodeKey('node-6'), node('node-6'));
    expect(await eventually(() => podCidrOf('node-6'), { what: 'node-6 podCIDR' })).toBe('10.244.0.0/24');
    // Nodes that brought their CIDR keep it.
    expect(podCidrOf('node-1')).toBe('10.244.1.0/24');
    expect(podCidrOf('node-2')).toBe('10.244.2.0/24');
  });
});
