import { describe, expect, it } from 'vitest';
import type { ApiError } from './errors.js';
import { jsonMergePatch, jsonPatch, strategicMergePatch } from './patch.js';

const lastApplied = { 'kubectl.kubernetes.io/last-applied-configuration': '{"new":true}\n' };

describe('strategicMergePatch', () => {
  it('applies the observed Service port change (80 → 81)', () => {
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'demo-svc',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"old":true}\n' },
        labels: { app: 'demo' },
      },
      spec: {
        clusterIP: '10.96.0.20',
        ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
        selector: { app: 'demo' },
      },
    };
    const patch = {
      metadata: { annotations: lastApplied },
      spec: {
        '$setElementOrder/ports': [{ port: 81 }],
        ports: [
          { name: 'http', port: 81, targetPort: 8080 },
          { $patch: 'delete', port: 80 },
        ],
      },
    };
    const out = strategicMergePatch(svc, patch, 'Service');
    expect(out.spec).toEqual({
      clusterIP: '10.96.0.20',
      ports: [{ name: 'http', port: 81, targetPort: 8080 }],
      selector: { app: 'demo' },
    });
    expect(out.metadata).toEqual({ name: 'demo-svc', annotations: lastApplied, labels: { app: 'demo' } });
    expect(svc.spec.ports[0]!.port).toBe(80);
  });

  it('applies the observed Deployment replicas and image change', () => {
    const deploy = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'shop' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'shop' } },
        template: {
          metadata: { labels: { app: 'shop' } },
          spec: {
            containers: [
              { name: 'shop', image: 'example/shop:1.0', ports: [{ containerPort: 8080, protocol: 'TCP' }] },
              { name: 'sidecar', image: 'proxy:1' },
            ],
          },
        },
      },
    };
    const patch = {
      metadata: { annotations: lastApplied },
      spec: {
        replicas: 3,
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'shop' }],
            containers: [{ image: 'example/shop:1.1', name: 'shop' }],
          },
        },
      },
    };
    const out = strategicMergePatch(deploy, patch, 'Deployment');
    expect(out.spec.replicas).toBe(3);
    expect(out.spec.template.spec.containers).toEqual([
      { name: 'shop', image: 'example/shop:1.1', ports: [{ containerPort: 8080, protocol: 'TCP' }] },
      { name: 'sidecar', image: 'proxy:1' },
    ]);
  });

  it('applies the observed Pod patch (labels removed, ports removed, env added, image changed)', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'demo-pod', labels: { app: 'demo' } },
      spec: {
        containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }] }],
        restartPolicy: 'Always',
      },
    };
    const patch = {
      metadata: { annotations: lastApplied, labels: null },
      spec: {
        '$setElementOrder/containers': [{ name: 'app' }],
        containers: [{ env: [{ name: 'MODE', value: 'prod' }], image: 'nginx:1.28', name: 'app', ports: null }],
      },
    };
    const out = strategicMergePatch(pod, patch, 'Pod');
    expect(out.metadata).toEqual({ name: 'demo-pod', annotations: lastApplied });
    expect(out.spec.containers).toEqual([{ name: 'app', image: 'nginx:1.28', env: [{ name: 'MODE', value: 'prod' }] }]);
  });

  it('merges env, volumeMounts and container ports by key and replaces other lists', () => {
    const pod = {
      spec: {
        containers: [
          {
            name: 'a',
            args: ['x', 'y'],
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
            volumeMounts: [{ name: 'v', mountPath: '/v' }],
          },
        ],
      },
    };
    const out = strategicMergePatch(
      pod,
      {
        spec: {
          containers: [
            {
              name: 'a',
              args: ['z'],
              env: [
                { name: 'B', value: '3' },
                { name: 'C', value: '4' },
              ],
              volumeMounts: [{ mountPath: '/v', readOnly: true }],
            },
          ],
        },
      },
      'Pod',
    );
    expect(out.spec.containers[0]).toEqual({
      name: 'a',
      args: ['z'],
      env: [
        { name: 'A', value: '1' },
        { name: 'B', value: '3' },
        { name: 'C', value: '4' },
      ],
      volumeMounts: [{ name: 'v', mountPath: '/v', readOnly: true }],
    });
  });

  it('replaces Endpoints subsets and merges conditions by type', () => {
    const ep = { subsets: [{ addresses: [{ ip: '10.0.0.1' }] }, { addresses: [{ ip: '10.0.0.2' }] }] };
    expect(strategicMergePatch(ep, { subsets: [{ addresses: [{ ip: '10.0.0.3' }] }] }, 'Endpoints').subsets).toEqual([
      { addresses: [{ ip: '10.0.0.3' }] },
    ]);
    const pod = {
      status: {
        conditions: [
          { type: 'Ready', status: 'False' },
          { type: 'PodScheduled', status: 'True' },
        ],
      },
    };
    expect(
      strategicMergePatch(pod, { status: { conditions: [{ type: 'Ready', status: 'True' }] } }, 'Pod').status
        .conditions,
    ).toEqual([
      { type: 'Ready', status: 'True' },
      { type: 'PodScheduled', status: 'True' },
    ]);
  });

  it('honours $patch replace, $retainKeys, $deleteFromPrimitiveList and $setElementOrder', () => {
    const obj = {
      metadata: { finalizers: ['a', 'b', 'c'] },
      spec: {
        selector: { app: 'x', tier: 'y' },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
        template: { spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } },
      },
    };
    const out = strategicMergePatch(
      obj,
      {
        metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] },
        spec: {
          selector: { $patch: 'replace', app: 'z' },
          strategy: { $retainKeys: ['type'], type: 'Recreate' },
          template: { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }] } },
        },
      },
      'Deployment',
    );
    expect(out.metadata.finalizers).toEqual(['a', 'c']);
    expect(out.spec.selector).toEqual({ app: 'z' });
    expect(out.spec.strategy).toEqual({ type: 'Recreate' });
    expect(out.spec.template.spec.containers.map((c) => c.name)).toEqual(['c', 'a', 'b']);
    const replaced = strategicMergePatch(
      { spec: { containers: [{ name: 'a' }, { name: 'b' }] } },
      { spec: { containers: [{ name: 'x' }, { $patch: 'replace' }] } },
      'Pod',
    );
    expect(replaced.spec.containers).toEqual([{ name: 'x' }]);
  });

  it('merges finalizers as a set', () => {
    expect(
      strategicMergePatch({ metadata: { finalizers: ['a'] } }, { metadata: { finalizers: ['a', 'b'] } }, 'Pod').metadata
        .finalizers,
    ).toEqual(['a', 'b']);
  });
});

describe('jsonMergePatch', () => {
  it('follows RFC 7386', () => {
    const target = { a: 'b', c: { d: 'e', f: 'g' }, list: [1, 2] };
    expect(jsonMergePatch(target, { a: 'z', c: { f: null }, list: [3] })).toEqual({ a: 'z', c: { d: 'e' }, list: [3] });
    expect(jsonMergePatch({ a: 'foo' }, 'bar')).toBe('bar');
    expect(jsonMergePatch({ e: null }, { a: 1 })).toEqual({ e: null, a: 1 });
    expect(target.c.f).toBe('g');
  });
});

describe('jsonPatch', () => {
  const doc = { metadata: { labels: { app: 'web' } }, spec: { ports: [{ port: 80 }] } };

  it('applies add, remove, replace, move, copy and test', () => {
    const out = jsonPatch(doc, [
      { op: 'add', path: '/metadata/labels/tier', value: 'frontend' },
      { op: 'add', path: '/spec/ports/-', value: { port: 443 } },
      { op: 'replace', path: '/spec/ports/0/port', value: 8080 },
      { op: 'copy', from: '/metadata/labels/app', path: '/metadata/labels/copy' },
      { op: 'move', from: '/metadata/labels/copy', path: '/metadata/labels/moved' },
      { op: 'remove', path: '/metadata/labels/app' },
      { op: 'test', path: '/spec/ports/1', value: { port: 443 } },
      { op: 'add', path: '/metadata/labels/a~1b', value: 'x' },
    ]);
    expect(out).toEqual({
      metadata: { labels: { tier: 'frontend', moved: 'web', 'a/b': 'x' } },
      spec: { ports: [{ port: 8080 }, { port: 443 }] },
    });
    expect(doc.metadata.labels).toEqual({ app: 'web' });
  });

  it('answers 422 when an operation does not apply and 400 for a malformed patch', () => {
    const fail = (ops: unknown): ApiError => {
      try {
        jsonPatch(doc, ops);
      } catch (err) {
        return err as ApiError;
      }
      throw new Error('expected failure');
    };
    const missing = fail([{ op: 'remove', path: '/spec/foo' }]);
    expect(missing.code).toBe(422);
    expect(missing.status.details?.causes?.[0]?.message).toBe('Unable to remove nonexistent key: foo: missing value');
    expect(fail([{ op: 'replace', path: '/spec/x/y', value: 1 }]).status.details?.causes?.[0]?.message).toBe(
      'replace operation does not apply: doc is missing path: "/spec/x/y": missing value',
    );
    expect(fail([{ op: 'test', path: '/spec/ports/0/port', value: 81 }]).status.details?.causes?.[0]?.message).toBe(
      'testing value /spec/ports/0/port failed: test failed',
    );
    expect(fail([{ op: 'add', path: '/spec/ports/5', value: 1 }]).code).toBe(422);
    expect(fail({ op: 'add' }).code).toBe(400);
  });
});
