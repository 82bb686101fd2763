import type { KubeObject } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { buildTable } from './build-table.js';
import { formatEndpoints } from './endpoints-table.js';
import { podStatusCells } from './pod-table.js';
import { fallbackPrinter, printerFor } from './printers.js';

const now = Date.parse('2025-01-01T01:00:00Z');
const created = '2025-01-01T00:57:57Z'; // 2m3s before now
const meta = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  namespace: 'default',
  creationTimestamp: created,
  ...extra,
});

function cells(resource: string, obj: unknown): unknown[] {
  return printerFor(resource, 'v1.32.4').cells(obj as KubeObject, now);
}

function header(resource: string): string[] {
  return printerFor(resource, 'v1.32.4').columns.map((c) => (c.priority > 0 ? `(${c.name})` : c.name));
}

const runningPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: meta('web-1'),
  spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'nginx' }] },
  status: {
    phase: 'Running',
    podIP: '10.244.1.5',
    podIPs: [{ ip: '10.244.1.5' }],
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: [
      {
        name: 'app',
        image: 'nginx',
        imageID: '',
        ready: true,
        restartCount: 0,
        state: { running: { startedAt: created } },
        lastState: {},
      },
    ],
  },
};

describe('server-side tables', () => {
  it('prints pods like printPod', () => {
    expect(header('pods')).toEqual([
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
      '(IP)',
      '(Node)',
      '(Nominated Node)',
      '(Readiness Gates)',
    ]);
    expect(cells('pods', runningPod)).toEqual([
      'web-1',
      '1/1',
      'Running',
      '0',
      '2m3s',
      '10.244.1.5',
      'node-1',
      '<none>',
      '<none>',
    ]);
    const pending = {
      ...runningPod,
      spec: { containers: [{ name: 'app', image: 'nginx' }] },
      status: { phase: 'Pending' },
    };
    expect(cells('pods', pending)).toEqual([
      'web-1',
      '0/1',
      'Pending',
      '0',
      '2m3s',
      '<none>',
      '<none>',
      '<none>',
      '<none>',
    ]);
  });

  it('shows container reasons, restarts and Terminating as the pod status', () => {
    const waiting = structuredClone(runningPod) as typeof runningPod & { status: Record<string, unknown> };
    waiting.status.containerStatuses = [
      {
        name: 'app',
        image: 'nginx',
        imageID: '',
        ready: false,
        restartCount: 0,
        state: { waiting: { reason: 'ContainerCreating' } },
        lastState: {},
      },
    ];
    expect(podStatusCells(waiting as never, now).status).toBe('ContainerCreating');
    waiting.status.containerStatuses = [
      {
        name: 'app',
        image: 'nginx',
        imageID: '',
        ready: false,
        restartCount: 4,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 1, finishedAt: '2025-01-01T00:59:30Z' } },
      },
    ];
    expect(podStatusCells(waiting as never, now)).toEqual({
      ready: '0/1',
      status: 'CrashLoopBackOff',
      restarts: '4 (30s ago)',
    });
    const deleting = { ...runningPod, metadata: meta('web-1', { deletionTimestamp: '2025-01-01T01:00:30Z' }) };
    expect(podStatusCells(deleting as never, now).status).toBe('Terminating');
    const done = {
      ...runningPod,
      status: {
        phase: 'Succeeded',
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 0, reason: 'Completed' } },
            lastState: {},
          },
        ],
      },
    };
    expect(podStatusCells(done as never, now).status).toBe('Completed');
    expect(printerFor('pods', '').conditions?.(done as never)?.[0]?.type).toBe('Completed');
  });

  it('prints services with ports, <none> external IP and sorted selector', () => {
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('web-service'),
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.96.0.50',
        clusterIPs: ['10.96.0.50'],
        selector: { tier: 'frontend', app: 'web' },
        ports: [
          { port: 80, protocol: 'TCP' },
          { port: 53, protocol: 'UDP' },
        ],
      },
    };
    expect(cells('services', svc)).toEqual([
      'web-service',
      'ClusterIP',
      '10.96.0.50',
      '<none>',
      '80/TCP,53/UDP',
      '2m3s',
      'app=web,tier=frontend',
    ]);
    const headless = { ...svc, spec: { clusterIP: 'None', clusterIPs: ['None'], type: 'ClusterIP' } };
    expect(cells('services', headless)).toEqual([
      'web-service',
      'ClusterIP',
      'None',
      '<none>',
      '<none>',
      '2m3s',
      '<none>',
    ]);
  });

  it('prints endpoints as ip:port, the first three then + N more', () => {
    const ep = (ips: string[]) => ({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: meta('web'),
      subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [{ port: 8080 }] }],
    });
    expect(formatEndpoints(ep(['10.244.1.2', '10.244.2.3']) as never)).toBe('10.244.1.2:8080,10.244.2.3:8080');
    expect(formatEndpoints(ep(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5']) as never)).toBe(
      '10.0.0.1:8080,10.0.0.2:8080,10.0.0.3:8080 + 2 more...',
    );
    expect(formatEndpoints({ apiVersion: 'v1', kind: 'Endpoints', metadata: meta('web') } as never)).toBe('<none>');
    expect(cells('endpoints', ep([]))).toEqual(['web', '<none>', '2m3s']);
  });

  it('prints endpoint slices, namespaces and nodes', () => {
    const slice = {
      metadata: meta('web-abc'),
      addressType: 'IPv4',
      ports: [{ port: 8080 }],
      endpoints: [{ addresses: ['10.244.1.2'] }, { addresses: ['10.244.2.3'] }],
    };
    expect(cells('endpointslices', slice)).toEqual(['web-abc', 'IPv4', '8080', '10.244.1.2,10.244.2.3', '2m3s']);
    expect(cells('endpointslices', { ...slice, ports: null, endpoints: null })).toEqual([
      'web-abc',
      'IPv4',
      '<unset>',
      '<unset>',
      '2m3s',
    ]);
    expect(cells('namespaces', { metadata: meta('prod'), status: { phase: 'Active' } })).toEqual([
      'prod',
      'Active',
      '2m3s',
    ]);
    const node = {
      metadata: { name: 'node-1', creationTimestamp: created, labels: { 'node-role.kubernetes.io/control-plane': '' } },
      spec: {},
      status: {
        conditions: [{ type: 'Ready', status: 'False' }],
        addresses: [{ type: 'InternalIP', address: '10.250.0.11' }],
        nodeInfo: { kubeletVersion: 'v1.32.4' },
      },
    };
    expect(cells('nodes', node)).toEqual([
      'node-1',
      'NotReady',
      'control-plane',
      '2m3s',
      'v1.32.4',
      '10.250.0.11',
      '<none>',
      '<unknown>',
      '<unknown>',
      '<unknown>',
    ]);
    expect(cells('nodes', { metadata: { name: 'n2' }, spec: { unschedulable: true } })[1]).toBe(
      'Unknown,SchedulingDisabled',
    );
  });

  it('prints events, deployments and replica sets', () => {
    const ev = {
      metadata: meta('client.17a3'),
      involvedObject: { kind: 'Pod', name: 'client', fieldPath: 'spec.containers{client}' },
      reason: 'Started',
      message: 'Started container client ',
      type: 'Normal',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: created,
      lastTimestamp: created,
      count: 2,
    };
    expect(cells('events', ev)).toEqual([
      '2m3s',
      'Normal',
      'Started',
      'pod/client',
      'spec.containers{client}',
      'kubelet, node-1',
      'Started container client',
      '2m3s',
      2,
      'client.17a3',
    ]);
    // events.k8s.io-style: no first/lastTimestamp or count; ages from eventTime and the series.
    const newApi = {
      metadata: meta('web-1.17a4'),
      involvedObject: { kind: 'Pod', name: 'web-1' },
      reason: 'Scheduled',
      message: 'Successfully assigned default/web-1 to node-1',
      type: 'Normal',
      eventTime: '2025-01-01T00:59:00.000000Z',
      reportingComponent: 'default-scheduler',
      reportingInstance: 'default-scheduler-host',
    };
    expect(cells('events', newApi).slice(0, 9)).toEqual([
      '60s',
      'Normal',
      'Scheduled',
      'pod/web-1',
      '',
      'default-scheduler, default-scheduler-host',
      'Successfully assigned default/web-1 to node-1',
      '60s',
      1,
    ]);
    const series = { ...newApi, series: { count: 4, lastObservedTime: '2025-01-01T00:59:50.000000Z' } };
    expect([cells('events', series)[0], cells('events', series)[8]]).toEqual(['10s', 4]);
    expect(cells('events', { ...newApi, eventTime: null })[0]).toBe('<unknown>');
    expect(header('leases')).toEqual(['Name', 'Holder', 'Age']);
    expect(cells('leases', { metadata: meta('node-1'), spec: { holderIdentity: 'node-1' } })).toEqual([
      'node-1',
      'node-1',
      '2m3s',
    ]);
    const template = { spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } };
    const deploy = {
      metadata: meta('web'),
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    expect(cells('deployments', deploy)).toEqual(['web', '2/3', 3, 2, '2m3s', 'app', 'nginx:1.27', 'app=web']);
    const rs = {
      metadata: meta('web-abc'),
      spec: {
        replicas: 3,
        selector: {
          matchLabels: { app: 'web' },
          matchExpressions: [{ key: 'env', operator: 'In', values: ['b', 'a'] }],
        },
        template,
      },
      status: { replicas: 3, readyReplicas: 1 },
    };
    expect(cells('replicasets', rs)).toEqual(['web-abc', 3, 3, 1, '2m3s', 'app', 'nginx:1.27', 'app=web,env in (a,b)']);
  });

  it('builds a Table with PartialObjectMetadata rows and a resourceVersion', () => {
    const t = buildTable(fallbackPrinter, [runningPod as never], {
      now,
      includeObject: 'Metadata',
      resourceVersion: '42',
    });
    expect(t.metadata.resourceVersion).toBe('42');
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Created At']);
    expect(t.columnDefinitions[0]?.format).toBe('name');
    expect(t.rows[0]?.object).toEqual({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: runningPod.metadata,
    });
    const full = buildTable(fallbackPrinter, [runningPod as never], { now, includeObject: 'Object' });
    expect(full.rows[0]?.object).toBe(runningPod);
    expect(
      buildTable(fallbackPrinter, [runningPod as never], { now, includeObject: 'None' }).rows[0]?.object,
    ).toBeUndefined();
  });

  it('prints configmaps (Data counts data and binaryData) and secrets with their type', () => {
    expect(header('configmaps')).toEqual(['Name', 'Data', 'Age']);
    expect(cells('configmaps', { metadata: meta('c'), data: { a: '1' }, binaryData: { b: 'eA==' } })).toEqual([
      'c',
      2,
      '2m3s',
    ]);
    expect(header('secrets')).toEqual(['Name', 'Type', 'Data', 'Age']);
    expect(cells('secrets', { metadata: meta('s'), type: 'Opaque', data: { p: 'eA==' } })).toEqual([
      's',
      'Opaque',
      1,
      '2m3s',
    ]);
  });
});
