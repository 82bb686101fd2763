import { type CronJob, type DaemonSet, type Job, type ObjectKey, type StatefulSet, defaultObject } from '@kemu/api';
import { type ObjectWriter, listObjects } from '@kemu/eventlog';
import { type EventLogFixture, consistently, eventually, startEventLogFixture } from '@kemu/testkit';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ControllerManager, createControllerManager } from './controller-manager.js';

const key = (resource: string, name: string): ObjectKey => ({ resource, namespace: 'default', name });
const T0 = Date.parse('2026-01-01T00:00:00Z');

describe('the StatefulSet, DaemonSet, Job and CronJob controllers on a real event log', () => {
  let fx: EventLogFixture; // plays the apiserver and the node-agents
  let api: ObjectWriter;
  let manager: ControllerManager;
  let cronNow = T0;

  const pods = () => listObjects(fx.informer.view, 'pods', 'default');

  async function setPhase(name: string, phase: string, ready: boolean): Promise<void> {
    await api.update(key('pods', name), (o) => ({
      ...o,
      status: {
        phase,
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2026-01-01T00:00:00Z' }],
      },
    }));
  }

  beforeEach(async () => {
    fx = await startEventLogFixture({ component: 'apiserver' });
    api = fx.api;
    await api.put(
      { resource: 'namespaces', namespace: '', name: 'default' },
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'default', uid: randomUUID() },
        status: { phase: 'Active' },
      },
    );
    cronNow = T0;
    manager = createControllerManager({
      ...(await fx.connectWithInformer('controller')),
      log: fx.log,
      cronJobClock: { now: () => new Date(cronNow), scale: 1 },
    });
    await manager.run();
  });
  afterEach(async () => {
    await manager.stop();
    await fx.close();
  });

  it('creates a StatefulSet pod only once the one before it is Running and Ready', async () => {
    const sts = defaultObject<StatefulSet>({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web', namespace: 'default', uid: randomUUID(), generation: 1 },
      spec: {
        replicas: 3,
        serviceName: 'web',
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      },
    });
    await api.put(key('statefulsets', 'web'), sts);
    await eventually(() => pods().some((p) => p.metadata.name === 'web-0'), { what: 'web-0' });
    await consistently(() => pods().length === 1, { forMs: 300, what: 'only web-0 before it is ready' });
    for (const name of ['web-0', 'web-1', 'web-2']) {
      await eventually(() => pods().some((p) => p.metadata.name === name), { what: name });
      await setPhase(name, 'Running', true);
    }
    const stored = await eventually(
      () => {
        const s = fx.informer.lister('statefulsets').get('default', 'web');
        return s?.status?.readyReplicas === 3 && s;
      },
      { what: 'readyReplicas 3' },
    );
    expect(stored.status).toMatchObject({ replicas: 3, updatedReplicas: 3, currentReplicas: 3 });
    const revisions = listObjects(fx.informer.view, 'controllerrevisions', 'default');
    expect(revisions.map((r) => [r.metadata.name, r.revision])).toEqual([[stored.status?.updateRevision, 1]]);
    expect(pods().map((p) => p.spec.subdomain)).toEqual(['web', 'web', 'web']);
  });

  it('gives a DaemonSet pod to every node, also one that joins later', async () => {
    const node = (name: string) =>
      api.put(
        { resource: 'nodes', namespace: '', name },
        { apiVersion: 'v1', kind: 'Node', metadata: { name, uid: randomUUID() } },
      );
    await node('node-1');
    const ds = defaultObject<DaemonSet>({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'default', uid: randomUUID(), generation: 1 },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      },
    });
    await api.put(key('daemonsets', 'agent'), ds);
    await eventually(() => pods().length === 1 && pods()[0]?.spec.nodeName === 'node-1', { what: 'a pod on node-1' });
    await node('node-2');
    const both = await eventually(() => pods().length === 2 && pods(), { what: 'a pod on node-2' });
    expect(both.map((p) => p.spec.nodeName).sort()).toEqual(['node-1', 'node-2']);
    await eventually(
      () => fx.informer.lister('daemonsets').get('default', 'agent')?.status?.desiredNumberScheduled === 2,
      {
        what: 'desiredNumberScheduled 2',
      },
    );
  });

  it('runs a Job to completion and a CronJob on its injected clock', async () => {
    const job = defaultObject<Job>({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'once', namespace: 'default', uid: 'job-uid' },
      spec: {
        ttlSecondsAfterFinished: 1,
        selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'job-uid' } },
        template: {
          metadata: { labels: { 'batch.kubernetes.io/controller-uid': 'job-uid' } },
          spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] },
        },
      },
    });
    // completionTime has whole seconds, so the TTL of one second may delete the Job a few
    // milliseconds after it is Complete: a poll misses that, the test records each change.
    let completed = false;
    const unwatch = fx.informer.onAnyChange((c) => {
      const conditions = (c.object as Job).status?.conditions;
      if (c.key.resource === 'jobs' && conditions?.some((x) => x.type === 'Complete' && x.status === 'True'))
        completed = true;
    });
    await api.put(key('jobs', 'once'), job);
    const [pod] = await eventually(() => pods().length === 1 && pods(), { what: 'the Job pod' });
    await setPhase(pod?.metadata.name ?? '', 'Succeeded', false);
    await eventually(() => completed, { what: 'the Job Complete' }).finally(unwatch);
    await eventually(() => !fx.informer.lister('jobs').get('default', 'once') && pods().length === 0, {
      what: 'the Job and its pod deleted one second after it finished',
      timeoutMs: 5_000,
    });

    cronNow = T0 + 90_000;
    const cj = defaultObject<CronJob>({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'tick', namespace: 'default', uid: randomUUID(), creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: {
        schedule: '*/1 * * * *',
        jobTemplate: {
          spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
        },
      },
    });
    await api.put(key('cronjobs', 'tick'), cj);
    const first = await eventually(() => fx.informer.lister('jobs').get('default', `tick-${(T0 + 60_000) / 60_000}`), {
      what: 'the Job of 00:01',
    });
    expect(first.spec.selector?.matchLabels?.['batch.kubernetes.io/controller-uid']).toBe(first.metadata.uid);
    cronNow = T0 + 150_000;
    await api.update(key('cronjobs', 'tick'), (o) => ({ ...o, metadata: { ...o.metadata, labels: { poke: '1' } } }));
    await eventually(() => fx.informer.lister('jobs').get('default', `tick-${(T0 + 120_000) / 60_000}`), {
      what: 'the Job of 00:02',
    });
    const status = await eventually(
      () => {
        const st = fx.informer.lister('cronjobs').get('default', 'tick')?.status;
        return st?.lastScheduleTime === '2026-01-01T00:02:00Z' && st;
      },
      { what: 'lastScheduleTime 00:02' },
    );
    expect(status?.active).toHaveLength(2);
  });
});
