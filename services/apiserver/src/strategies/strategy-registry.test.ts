import { type KubeObject, type Pod, resourceByName } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { strategyFor } from './strategy-registry.js';

function typeOf(resource: string) {
  const type = resourceByName(resource);
  if (!type) throw new Error(`no resource ${resource}`);
  return type;
}

function pod(nodeName: string | undefined, phase: string, grace?: number): KubeObject {
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: [{ name: 'c', image: 'i' }], nodeName, terminationGracePeriodSeconds: grace },
    status: { phase },
  };
  return p as KubeObject;
}

describe('strategyFor', () => {
  it('marks a bound running pod for graceful deletion and removes an unbound or finished one', () => {
    const s = strategyFor(typeOf('pods'));
    expect(s.prepareForDelete?.(pod('node-1', 'Running'), undefined)).toEqual({ graceSeconds: 30 });
    expect(s.prepareForDelete?.(pod('node-1', 'Running', 5), undefined)).toEqual({ graceSeconds: 5 });
    expect(s.prepareForDelete?.(pod('node-1', 'Running', 5), 0)).toBeUndefined();
    expect(s.prepareForDelete?.(pod(undefined, 'Pending'), 10)).toBeUndefined();
    expect(s.prepareForDelete?.(pod('node-1', 'Succeeded'), 10)).toBeUndefined();
  });

  it("updates a Service's /status with the request's annotations and status but the stored spec", () => {
    const s = strategyFor(typeOf('services'));
    const stored = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'svc', namespace: 'default', uid: 'u1', labels: { a: 'b' } },
      spec: { type: 'ClusterIP', clusterIP: '10.96.0.9' },
      status: { loadBalancer: {} },
    } as KubeObject;
    const request = {
      ...stored,
      metadata: { name: 'svc', namespace: 'default', labels: { a: 'b' }, annotations: { patchedstatus: 'true' } },
      spec: { type: 'NodePort' },
      status: { loadBalancer: { ingress: [{ ip: '203.0.113.1' }] } },
    } as KubeObject;
    const next = s.prepareForUpdate(stored, request, 'status');
    expect(next.metadata).toMatchObject({ uid: 'u1', annotations: { patchedstatus: 'true' } });
    expect(next.spec).toEqual(stored.spec);
    expect(next.status).toEqual(request.status);
  });

  it('refuses to delete system namespaces and turns others Terminating', () => {
    const s = strategyFor(typeOf('namespaces'));
    const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    expect(() => s.validateDelete?.(ns('kube-system'))).toThrow(/may not be deleted/);
    expect(() => s.validateDelete?.(ns('team-a'))).not.toThrow();
    const mark = s.prepareForDelete?.(ns('team-a'), 30);
    expect(mark?.graceSeconds).toBe(0);
    const obj = ns('team-a');
    mark?.mark?.(obj);
    expect(obj.status).toEqual({ phase: 'Terminating' });
  });

  it('resets status on create where a status subresource exists, except for nodes and services', () => {
    const withStatus = (kind: string): KubeObject => ({
      apiVersion: 'v1',
      kind,
      metadata: { name: 'x' },
      status: { phase: 'Made up' },
    });
    const cases: [string, unknown][] = [
      ['pods', undefined],
      ['deployments', undefined],
      ['endpoints', { phase: 'Made up' }],
      ['nodes', { phase: 'Made up' }],
      ['services', { loadBalancer: {} }],
    ];
    for (const [resource, status] of cases) {
      const obj = withStatus(resource);
      strategyFor(typeOf(resource)).prepareForCreate(obj);
      expect(obj.status, resource).toEqual(status);
    }
  });

  it('keeps the stored status on a main update and the stored spec on a status update', () => {
    const s = strategyFor(typeOf('deployments'));
    const current: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'default', uid: 'u1', generation: 2 },
      spec: { replicas: 1 },
      status: { replicas: 1 },
    };
    const input: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { replicas: 3 },
      status: { replicas: 9 },
    };
    const main = s.prepareForUpdate(current, input, 'main');
    expect(main.spec).toEqual({ replicas: 3 });
    expect(main.status).toEqual({ replicas: 1 });
    expect(main.metadata).toMatchObject({ namespace: 'default', uid: 'u1', generation: 2 });
    const status = s.prepareForUpdate(current, input, 'status');
    expect(status.spec).toEqual({ replicas: 1 });
    expect(status.status).toEqual({ replicas: 9 });
  });

  it('lets a namespace finalize change only spec.finalizers', () => {
    const s = strategyFor(typeOf('namespaces'));
    const current: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'n', labels: { a: 'b' } },
      spec: { finalizers: ['kubernetes'] },
    };
    const input: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' }, spec: {} };
    const next = s.prepareForUpdate(current, input, 'finalize');
    expect(next.spec).toEqual({ finalizers: [] });
    expect(next.metadata.labels).toEqual({ a: 'b' });
  });

  it('lists subresources per resource', () => {
    expect(strategyFor(typeOf('pods')).subresources.map((s) => s.name)).toEqual([
      'attach',
      'exec',
      'log',
      'portforward',
      'proxy',
    ]);
    expect(strategyFor(typeOf('replicasets')).subresources.map((s) => s.name)).toEqual(['scale']);
    expect(strategyFor(typeOf('endpoints')).hasStatus).toBe(false);
    expect(strategyFor(typeOf('namespaces')).hiddenSubresources).toEqual(['finalize']);
  });
});
