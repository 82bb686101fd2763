import type { EndpointSlice, Endpoints, Event, KubeObject, Node, ObjectKey, Pod, Service } from '@kemu/api';
import { type ObjectWriter, getObject, listObjects } from '@kemu/eventlog';
import { type EventLogFixture, consistently, eventually, settled, startEventLogFixture } from '@kemu/testkit';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ControllerManager,
  type ControllerManagerOptions,
  createControllerManager,
} from './controller-manager.js';

const stamp = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The controller process in-process: its own connection and informer (the fixture closes them) and manager. */
async function startController(
  fx: EventLogFixture,
  options: Partial<ControllerManagerOptions> = {},
): Promise<ControllerManager> {
  const manager = createControllerManager({ ...(await fx.connectWithInformer('controller')), log: fx.log, ...options });
  await manager.run();
  return manager;
}

const key = (resource: string, namespace: string, name: string): ObjectKey => ({ resource, namespace, name });
function node(name: string, zone?: string): Node {
  const t = stamp();
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      uid: randomUUID(),
      creationTimestamp: t,
      labels: { 'kubernetes.io/hostname': name, ...(zone ? { 'topology.kubernetes.io/zone': zone } : {}) },
    },
    spec: {},
    status: {
      conditions: [
        { type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: t, lastTransitionTime: t },
      ],
    },
  };
}
function pod(name: string, app: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: randomUUID(), creationTimestamp: stamp(), labels: { app } },
    spec: {
      containers: [{ name: app, image: 'nginx', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }],
    },
    status: { phase: 'Pending' },
  };
}
function service(name: string, app: string, clusterIP: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', uid: randomUUID(), creationTimestamp: stamp(), labels: { app } },
    spec: {
      selector: { app },
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
      clusterIP,
      clusterIPs: [clusterIP],
      type: 'ClusterIP',
    },
  };
}
function ipAddress(ip: string, svc: string): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IPAddress',
    metadata: { name: ip, uid: randomUUID(), creationTimestamp: stamp() },
    spec: { parentRef: { group: '', resource: 'services', namespace: 'default', name: svc } },
  };
}
/** What the node-agent writes once a pod runs: its IP and Ready=True. */
async function podRunning(writer: ObjectWriter, name: string, ip: string): Promise<void> {
  await writer.update(key('pods', 'default', name), (o) => {
    const p = o as Pod;
    const t = stamp();
    return {
      ...p,
      status: {
        ...p.status,
        phase: 'Running',
        podIP: ip,
        podIPs: [{ ip }],
        conditions: [...(p.status?.conditions ?? []), { type: 'Ready', status: 'True', lastTransitionTime: t }],
      },
    };
  });
}

describe('controller manager', () => {
  let fx: EventLogFixture; // plays the apiserver and the node-agents
  let api: ObjectWriter;
  const running: ControllerManager[] = [];
  const view = () => fx.informer.view;
  const get = <T extends KubeObject>(resource: string, name: string, ns = 'default') =>
    getObject(view(), key(resource, ns, name)) as T | undefined;
  const slicesOf = (svc: string) =>
    listObjects(view(), 'endpointslices', 'default').filter(
      (s) => s.metadata.labels?.['kubernetes.io/service-name'] === svc,
    );

  beforeEach(async () => {
    fx = await startEventLogFixture({ component: 'apiserver' });
    api = fx.api;
  });
  afterEach(async () => {
    for (const manager of running.splice(0)) await manager.stop();
    await fx.close();
  });

  it('schedules, publishes endpoints and slices, collects garbage, and writes nothing more after a restart', async () => {
    running.push(await startController(fx, { ipAddressGraceMs: 1_000 }));
    for (const [i, zone] of [
      ['1', 'zone-a'],
      ['2', undefined],
      ['3', undefined],
    ] as const)
      await api.put(key('nodes', '', `node-${i}`), node(`node-${i}`, zone));
    await api.put(key('ipaddresses', '', '10.96.0.50'), ipAddress('10.96.0.50', 'web-service'));
    await api.put(key('services', 'default', 'web-service'), service('web-service', 'web', '10.96.0.50'));
    await api.put(key('ipaddresses', '', '10.96.0.99'), ipAddress('10.96.0.99', 'gone'));
    for (const n of [1, 2, 3]) await api.put(key('pods', 'default', `web-pod-${n}`), pod(`web-pod-${n}`, 'web'));

    // Scheduling: one pod per node, PodScheduled=True, a Scheduled event each.
    const nodes = await eventually(
      () => {
        const names = [1, 2, 3].map((n) => get<Pod>('pods', `web-pod-${n}`)?.spec.nodeName);
        return names.every(Boolean) && (names as string[]);
      },
      { what: 'pods bound' },
    );
    expect([...nodes].sort()).toEqual(['node-1', 'node-2', 'node-3']);
    const p1 = get<Pod>('pods', 'web-pod-1') as Pod;
    expect(p1.status?.conditions).toContainEqual(expect.objectContaining({ type: 'PodScheduled', status: 'True' }));
    const events = await eventually(
      () => {
        const e = listObjects(view(), 'events', 'default').filter((x) => x.reason === 'Scheduled');
        return e.length === 3 && e;
      },
      { what: 'Scheduled events' },
    );
    const e1 = events.find((e) => e.involvedObject.name === 'web-pod-1') as Event;
    expect(e1.metadata.name).toMatch(/^web-pod-1\.[0-9a-f]{16}$/);
    expect(e1).toMatchObject({
      message: `Successfully assigned default/web-pod-1 to ${p1.spec.nodeName}`,
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-pod-1', uid: p1.metadata.uid },
      source: { component: 'default-scheduler' },
      type: 'Normal',
      count: 1,
    });

    // Endpoints before the pods run: matched, but no IP yet, so none listed.
    const emptyEp = await eventually(() => get<Endpoints>('endpoints', 'web-service'), { what: 'endpoints' });
    expect(emptyEp.subsets ?? []).toEqual([]);
    expect(emptyEp.metadata.labels).toEqual({ app: 'web' });

    // The node-agents report the pods running and ready.
    const ipOf = (n: number) => `10.244.${(get<Pod>('pods', `web-pod-${n}`) as Pod).spec.nodeName?.slice(5)}.1${n}`;
    for (const n of [1, 2, 3]) await podRunning(api, `web-pod-${n}`, ipOf(n));
    // A pod the selector does not match, running too.
    await api.put(key('pods', 'default', 'db-pod'), pod('db-pod', 'db'));
    await eventually(() => get<Pod>('pods', 'db-pod')?.spec.nodeName, { what: 'db pod bound' });
    await podRunning(api, 'db-pod', '10.244.1.99');

    const ep = await eventually(
      () => {
        const e = get<Endpoints>('endpoints', 'web-service');
        return e?.subsets?.[0]?.addresses?.length === 3 && e;
      },
      { what: 'three endpoints addresses' },
    );
    expect(ep.subsets).toHaveLength(1);
    expect(ep.subsets?.[0]?.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(ep.subsets?.[0]?.addresses?.map((a) => a.ip).sort()).toEqual([1, 2, 3].map(ipOf).sort());
    expect(ep.subsets?.[0]?.addresses?.find((a) => a.targetRef?.name === 'web-pod-1')).toEqual({
      ip: ipOf(1),
      nodeName: p1.spec.nodeName,
      targetRef: { kind: 'Pod', namespace: 'default', name: 'web-pod-1', uid: p1.metadata.uid },
    });

    const slice = await eventually(
      () => {
        const s = slicesOf('web-service');
        return s.length === 1 && s[0]?.endpoints?.length === 3 && (s[0] as EndpointSlice);
      },
      { what: 'slice with three endpoints' },
    );
    const svc = get<Service>('services', 'web-service') as Service;
    expect(slice.metadata.name).toMatch(/^web-service-[a-z0-9]{5}$/);
    expect(slice.metadata.labels?.['endpointslice.kubernetes.io/managed-by']).toBe('endpointslice-controller.k8s.io');
    expect(slice.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Service',
        name: 'web-service',
        uid: svc.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(slice.addressType).toBe('IPv4');
    expect(slice.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    for (const e of slice.endpoints ?? [])
      expect(e.conditions).toEqual({ ready: true, serving: true, terminating: false });
    const onNode1 = slice.endpoints?.find((e) => e.nodeName === 'node-1');
    expect(onNode1?.zone).toBe('zone-a');
    const sliceName = slice.metadata.name;

    // The db pod never shows up.
    expect(JSON.stringify(get('endpoints', 'web-service'))).not.toContain('10.244.1.99');
    expect(JSON.stringify(slicesOf('web-service'))).not.toContain('10.244.1.99');

    // Deleting a pod (deletionTimestamp set, still running its grace period).
    await api.update(key('pods', 'default', 'web-pod-2'), (o) => ({
      ...o,
      metadata: { ...o.metadata, deletionTimestamp: stamp(), deletionGracePeriodSeconds: 30 },
    }));
    await eventually(() => get<Endpoints>('endpoints', 'web-service')?.subsets?.[0]?.addresses?.length === 2, {
      what: 'pod left endpoints',
    });
    expect(JSON.stringify(get('endpoints', 'web-service'))).not.toContain(ipOf(2));
    const terminating = await eventually(
      () =>
        slicesOf('web-service')[0]?.endpoints?.find(
          (e) => e.targetRef?.name === 'web-pod-2' && e.conditions.terminating,
        ),
      {
        what: 'terminating endpoint',
      },
    );
    expect(terminating.conditions).toEqual({ ready: false, serving: true, terminating: true });
    expect(slicesOf('web-service')[0]?.metadata.name).toBe(sliceName);

    // IPAddress repair: the orphan goes after its grace, the service's address stays.
    await eventually(() => !get('ipaddresses', '10.96.0.99', ''), { what: 'orphan ipaddress deleted' });
    expect(get('ipaddresses', '10.96.0.50', '')).toBeDefined();

    // A deleted Service takes its Endpoints and slices with it.
    await api.put(key('services', 'default', 'tmp-svc'), service('tmp-svc', 'web', '10.96.0.51'));
    await eventually(() => get('endpoints', 'tmp-svc') && slicesOf('tmp-svc').length === 1, {
      what: 'tmp-svc endpoints',
    });
    await api.remove(key('services', 'default', 'tmp-svc'), get('services', 'tmp-svc') as KubeObject);
    await eventually(() => !get('endpoints', 'tmp-svc') && slicesOf('tmp-svc').length === 0, {
      what: 'tmp-svc endpoints deleted',
    });

    // Restart: a new instance on the same log converges without writing anything.
    const first = running.pop() as ControllerManager;
    await first.idle();
    const before = await settled(() => fx.eventLog.lastSequence(), { forMs: 300, what: 'the log' });
    await first.stop();
    const second = await startController(fx, { ipAddressGraceMs: 1_000 });
    running.push(second);
    await second.idle();
    await consistently(async () => expect(await fx.eventLog.lastSequence()).toBe(before), {
      forMs: 1_000,
      what: 'a restarted controller writing nothing',
    });

    // Changes made while the controller is down are acted on at start (relist).
    await (running.pop() as ControllerManager).stop();
    await api.remove(key('pods', 'default', 'web-pod-3'), get('pods', 'web-pod-3') as KubeObject);
    await api.remove(key('services', 'default', 'web-service'), get('services', 'web-service') as KubeObject);
    running.push(await startController(fx, { ipAddressGraceMs: 1_000 }));
    await eventually(
      () =>
        !get('endpoints', 'web-service') &&
        slicesOf('web-service').length === 0 &&
        !get('ipaddresses', '10.96.0.50', ''),
      {
        what: 'orphans of a service deleted while down',
      },
    );
  }, 60_000);

  it('keeps pods Pending without nodes, binds them when a node is ready, and marks a silent node and its pods', async () => {
    running.push(await startController(fx, { nodeGraceMs: 2_500, nodeMonitorPeriodMs: 100 }));
    await api.put(key('services', 'default', 'web-service'), service('web-service', 'web', '10.96.0.50'));
    await api.put(key('pods', 'default', 'web-pod-1'), pod('web-pod-1', 'web'));

    const pending = await eventually(
      () => {
        const c = get<Pod>('pods', 'web-pod-1')?.status?.conditions?.find((x) => x.type === 'PodScheduled');
        return c?.status === 'False' && c;
      },
      { what: 'Unschedulable condition' },
    );
    expect(pending).toMatchObject({ reason: 'Unschedulable', message: 'no nodes available to schedule pods' });
    await eventually(
      () =>
        listObjects(view(), 'events', 'default').some((e) => e.reason === 'FailedScheduling' && e.type === 'Warning'),
      {
        what: 'FailedScheduling event',
      },
    );
    expect(get<Pod>('pods', 'web-pod-1')?.status?.phase).toBe('Pending');

    await api.put(key('nodes', '', 'node-1'), node('node-1'));
    await eventually(() => get<Pod>('pods', 'web-pod-1')?.spec.nodeName === 'node-1', {
      what: 'bound after a node became ready',
    });
    await podRunning(api, 'web-pod-1', '10.244.1.10');
    await eventually(
      () => get<Endpoints>('endpoints', 'web-service')?.subsets?.[0]?.addresses?.[0]?.ip === '10.244.1.10',
      { what: 'ready address' },
    );

    // No heartbeat from node-1 from now on: after the grace it is Unknown and its pod not ready.
    const ready = await eventually(
      () => {
        const c = get<Node>('nodes', 'node-1', '')?.status?.conditions?.find((x) => x.type === 'Ready');
        return c?.status === 'Unknown' && c;
      },
      { what: 'node Unknown' },
    );
    expect(ready).toMatchObject({ reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    await eventually(
      () => get<Pod>('pods', 'web-pod-1')?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'False'),
      { what: 'pod not ready' },
    );
    const ep = await eventually(
      () => {
        const s = get<Endpoints>('endpoints', 'web-service')?.subsets?.[0];
        return s?.notReadyAddresses?.length === 1 && s;
      },
      { what: 'address moved to notReadyAddresses' },
    );
    expect(ep.addresses).toBeUndefined();
    await eventually(() => slicesOf('web-service')[0]?.endpoints?.[0]?.conditions.ready === false, {
      what: 'slice endpoint not ready',
    });

    // A pod created now is not placed on the Unknown node.
    await api.put(key('pods', 'default', 'web-pod-2'), pod('web-pod-2', 'web'));
    await eventually(
      () => get<Pod>('pods', 'web-pod-2')?.status?.conditions?.some((c) => c.reason === 'Unschedulable'),
      { what: 'second pod unschedulable' },
    );
    expect(get<Pod>('pods', 'web-pod-2')?.spec.nodeName).toBeUndefined();
  }, 30_000);
});
