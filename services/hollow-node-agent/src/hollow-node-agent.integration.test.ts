import { type Pod, cidrContains, parseCidr } from '@kemu/api';
import { createObjectWriter, getObject, listObjects } from '@kemu/eventlog';
import { hollowNodeLayout, hollowStopFile } from '@kemu/kubelet';
import { eventually, startEventLogFixture } from '@kemu/testkit';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHollowMachines } from './hollow-actors.js';
import { createHollowNodes } from './hollow-nodes.js';
import { createHollowPods } from './hollow-pods.js';
import { DEFAULT_STAGES } from './hollow-stages.js';

const facts = {
  internalIP: '127.0.0.1',
  kernelVersion: '6.1.0',
  osImage: 'kemu hollow node',
  architecture: 'amd64',
  cpu: '2',
  memory: '4Gi',
  pods: '110',
  machineID: 'hollow',
  bootID: 'hollow',
  systemUUID: 'hollow',
};

const webPod = (name: string, node: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'web' } },
  spec: { nodeName: node, containers: [{ name: 'web', image: 'nginx' }] },
});

describe('hollow-node-agent on a real event log', () => {
  it('registers hollow Nodes with Leases, runs their pods to Ready at IPs of their CIDRs, and stops a node with its stop file', async () => {
    await using fx = await startEventLogFixture({ component: 'apiserver' });
    const stateDir = await mkdtemp(join(tmpdir(), 'kemu-hollow-'));
    try {
      const { eventLog, informer } = await fx.connectWithInformer('hollow-node-agent');
      const layout = hollowNodeLayout('hollow', 3, parseCidr('10.244.0.0/16'));
      const writer = (node: string) => createObjectWriter(eventLog, informer, { component: 'hollow-node-agent', node });
      const resumed: string[] = [];
      const machines = createHollowMachines({
        stages: { ...DEFAULT_STAGES, sandbox: { delayMs: 10, jitterMs: 10, failureRate: 0 } },
        random: Math.random,
        now: Date.now,
      });
      const nodes = createHollowNodes({
        nodes: layout,
        facts,
        writer,
        view: informer.view,
        heartbeatMs: 200,
        stopFile: (name) => hollowStopFile(stateDir, name),
        onResume: (name) => {
          resumed.push(name);
          pods.resync(name);
        },
        log: fx.log,
      });
      const pods = createHollowPods({
        nodes: layout,
        informer,
        deps: (node) => ({
          node,
          hostIP: '127.0.0.1',
          writer: writer(node),
          view: informer.view,
          machines,
          now: Date.now,
          paused: () => nodes.isDown(node),
          log: fx.log,
        }),
        log: fx.log,
      });
      await nodes.register();
      nodes.start();
      pods.start();

      // register() resolves once the agent's own view has the Nodes; the test's view follows.
      const registered = await eventually(
        () => {
          const all = listObjects(fx.informer.view, 'nodes');
          return all.length === 3 ? all : undefined;
        },
        { timeoutMs: 5_000, what: 'three hollow Nodes' },
      );
      expect(registered.map((n) => [n.metadata.name, n.spec?.podCIDR, n.metadata.labels?.['kemu.dev/hollow']])).toEqual(
        [
          ['hollow-1', '10.244.255.0/24', 'true'],
          ['hollow-2', '10.244.254.0/24', 'true'],
          ['hollow-3', '10.244.253.0/24', 'true'],
        ],
      );
      const leaseKey = (name: string) => ({ resource: 'leases' as const, namespace: 'kube-node-lease', name });
      await eventually(
        () => getObject(fx.informer.view, leaseKey('hollow-2'))?.spec.holderIdentity === 'hollow-2' || undefined,
        {
          timeoutMs: 5_000,
          what: "hollow-2's Lease",
        },
      );

      for (const [i, n] of layout.entries()) {
        await fx.api.put({ resource: 'pods', namespace: 'default', name: `web-${i}` }, webPod(`web-${i}`, n.name));
      }
      const ready = await eventually(
        () => {
          const all = listObjects(fx.informer.view, 'pods');
          return all.length === 3 &&
            all.every((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
            ? all
            : undefined;
        },
        { timeoutMs: 10_000, what: 'hollow pods Ready' },
      );
      for (const p of ready) {
        const cidr = layout.find((n) => n.name === p.spec.nodeName)?.podCIDR ?? '';
        expect(cidrContains(parseCidr(cidr), p.status?.podIP ?? '')).toBe(true);
        expect(p.metadata.annotations?.['kemu.dev/hollow']).toBe('true');
        expect(p.status?.phase).toBe('Running');
      }

      // Ready pods rest without a machine; one whose status another writer changed publishes it again.
      await eventually(() => pods.resting() === 3 || undefined, { timeoutMs: 5_000, what: 'three pods at rest' });
      const flipped = ready[1] as Pod;
      const flippedKey = { resource: 'pods' as const, namespace: 'default', name: flipped.metadata.name };
      const readyOf = (p: Pod | undefined) => p?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
      const flippedAt = await fx.api.update(flippedKey, (p) => ({
        ...p,
        status: {
          ...p.status,
          conditions: p.status?.conditions?.map((c) => (c.type === 'Ready' ? { ...c, status: 'False' } : c)),
        },
      }));
      expect(readyOf(flippedAt)).toBe('False');
      await eventually(
        () => {
          const p = getObject(fx.informer.view, flippedKey);
          const later = Number(p?.metadata.resourceVersion) > Number(flippedAt?.metadata.resourceVersion);
          return (later && readyOf(p) === 'True') || undefined;
        },
        { timeoutMs: 5_000, what: 'Ready published again by the resting pod' },
      );
      await eventually(() => pods.resting() === 3 || undefined, { timeoutMs: 5_000, what: 'at rest again' });

      // hollow-2 killed: its lease stops while hollow-1's goes on; it comes back once the file goes.
      const stop = hollowStopFile(stateDir, 'hollow-2');
      await mkdir(dirname(stop), { recursive: true });
      await writeFile(stop, 'x');
      await eventually(() => nodes.isDown('hollow-2') || undefined, { timeoutMs: 2_000, what: 'hollow-2 down' });
      // Renewals are appended in order: once the test's view has a later renewal of hollow-1,
      // it has every renewal hollow-2 made before it went down.
      const renewedAfter = async (before: string | undefined) =>
        eventually(
          () => {
            const t = getObject(fx.informer.view, leaseKey('hollow-1'))?.spec.renewTime;
            return t !== before ? t : undefined;
          },
          { timeoutMs: 2_000, what: 'hollow-1 renewed' },
        );
      const mark = await renewedAfter(getObject(fx.informer.view, leaseKey('hollow-1'))?.spec.renewTime);
      const frozen = getObject(fx.informer.view, leaseKey('hollow-2'))?.spec.renewTime;
      await renewedAfter(mark);
      expect(getObject(fx.informer.view, leaseKey('hollow-2'))?.spec.renewTime).toBe(frozen);
      await rm(stop);
      await eventually(() => resumed.includes('hollow-2') || undefined, { timeoutMs: 2_000, what: 'hollow-2 back' });
      await eventually(
        () => getObject(fx.informer.view, leaseKey('hollow-2'))?.spec.renewTime !== frozen || undefined,
        {
          timeoutMs: 2_000,
          what: "hollow-2's Lease renewed again",
        },
      );

      // A deleted pod (resumed from rest) passes its stop stage and is removed by its node, its container stopped with exit 0.
      await eventually(() => pods.resting() === 3 || undefined, {
        timeoutMs: 5_000,
        what: 'at rest before the deletion',
      });
      const victim = ready[0] as Pod;
      let final: Pod | undefined;
      const off = fx.informer.on('pods', {
        onDelete: (p) => {
          if (p.metadata.name === victim.metadata.name) final = p;
        },
      });
      await fx.api.update({ resource: 'pods', namespace: 'default', name: victim.metadata.name }, (p) => ({
        ...p,
        metadata: { ...p.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 30 },
      }));
      await eventually(
        () =>
          !getObject(fx.informer.view, { resource: 'pods', namespace: 'default', name: victim.metadata.name }) ||
          undefined,
        { timeoutMs: 5_000, what: 'deleted pod removed' },
      );
      off();
      expect(final?.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({
        exitCode: 0,
        reason: 'Completed',
      });
      nodes.stop();
      pods.stop();
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
