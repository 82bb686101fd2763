import type { Node } from '@kemu/api';
import { createLogger } from '@kemu/log';
import { addNetns, deleteNetns, ipIn } from '@kemu/netns';
import { eventually, node as testNode } from '@kemu/testkit';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPodRoutes } from './pod-routes.js';

const log = createLogger({ component: 'test', level: 'silent' });

/** A Ready node with the pod CIDR and InternalIP given (either may be missing). */
const node = (name: string, podCIDR?: string, ip?: string): Node => testNode(name, { podCIDR, ip });

describe('pod routes in a real netns', () => {
  const ns = `kt-pr-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    await addNetns(ns);
    await ipIn(ns, ['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1']);
    await ipIn(ns, ['link', 'set', 'eth1', 'up']);
    await ipIn(ns, ['addr', 'add', '10.77.0.11/24', 'dev', 'eth0']);
    await ipIn(ns, ['link', 'set', 'eth0', 'up']);
    // A route someone else owns (local mode's static kind) must survive the syncs.
    await ipIn(ns, ['route', 'add', '10.99.0.0/24', 'via', '10.77.0.99']);
  });

  afterAll(async () => {
    await deleteNetns(ns);
  });

  const routes = async () => (await ipIn(ns, ['-4', 'route', 'show'])).stdout;

  it('adds, repoints and removes routes as Nodes come and go, leaving other routes alone', async () => {
    let nodes = [
      node('self', '10.244.1.0/24', '10.77.0.11'),
      node('node-2', '10.244.2.0/24', '10.77.0.12'),
      node('node-4', '10.244.0.0/24', '10.77.0.40'),
    ];
    let notify: () => void = () => undefined;
    const pr = createPodRoutes({
      netns: ns,
      self: 'self',
      ownCidr: () => '10.244.1.0/24',
      listNodes: () => nodes,
      onNodesChange: (h) => {
        notify = h;
        return () => {
          notify = () => undefined;
        };
      },
      log,
      coalesceMs: 10,
    });
    pr.start();
    await eventually(async () => (await routes()).includes('10.244.0.0/24 via 10.77.0.40'), { what: 'node-4 route' });
    expect(await routes()).toContain('10.244.2.0/24 via 10.77.0.12');
    expect(await routes()).not.toContain('10.244.1.0/24 via');

    nodes = [nodes[0] as Node, node('node-2', '10.244.2.0/24', '10.77.0.22')];
    notify();
    await eventually(async () => !(await routes()).includes('10.244.0.0/24'), { what: 'node-4 route removed' });
    expect(await routes()).toContain('10.244.2.0/24 via 10.77.0.22');
    // A next hop outside every subnet is logged, not fatal; the other routes stay.
    nodes = [...nodes, node('far', '10.244.5.0/24', '192.0.2.1')];
    notify();
    await pr.sync();
    expect(await routes()).not.toContain('10.244.5.0/24');
    expect(await routes()).toContain('10.99.0.0/24 via 10.77.0.99');
    pr.stop();
  });
});
