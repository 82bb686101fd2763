import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.js';
import { parseManifests } from './manifests.js';
import type { KubeObject } from './types.js';
import { checkDecodable, findTypeError, findUnknownFields, strictDecodingError } from './unknown-fields.js';

const seedPod = `apiVersion: v1
kind: Pod
metadata:
  name: web-pod-1
  labels:
    app: web
spec:
  containers:
  - name: nginx
    image: nginx
    ports:
    - containerPort: 8080
    livenessProbe:
      httpGet:
        path: /health
        port: 8080
    readinessProbe:
      httpGet:
        path: /ready
        port: 8080
    resources:
      requests:
        memory: "64Mi"
        cpu: "250m"
      limits:
        memory: "128Mi"
        cpu: "500m"
    env:
    - name: DB_HOST
      value: "mysql-service"
`;

const svc = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 's' },
  spec,
});

describe('findUnknownFields', () => {
  it('knows every field of the seed guide manifests', () => {
    expect(findUnknownFields(parseManifests(seedPod)[0]!)).toEqual([]);
    expect(
      findUnknownFields(
        svc({
          type: 'ClusterIP',
          selector: { app: 'web' },
          sessionAffinity: 'ClientIP',
          ports: [{ port: 80, targetPort: 8080 }],
        }),
      ),
    ).toEqual([]);
    const deploy: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'shop', namespace: 'production', annotations: { a: 'b' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'shop' } },
        template: {
          metadata: { labels: { app: 'shop' } },
          spec: { containers: [{ name: 'shop', image: 'example/shop:1.0' }] },
        },
      },
      status: { anything: true },
    };
    expect(findUnknownFields(deploy)).toEqual([]);
  });

  it('reports unknown fields with their paths', () => {
    expect(findUnknownFields(svc({ foo: 'bar', ports: [{ port: 80, bar: 1 }] }))).toEqual([
      'spec.foo',
      'spec.ports[0].bar',
    ]);
    const pod = parseManifests(seedPod)[0]!;
    (pod.spec as { containers: Record<string, unknown>[] }).containers[0]!.imagee = 'x';
    (pod.metadata as Record<string, unknown>).lables = {};
    expect(findUnknownFields(pod)).toEqual(['metadata.lables', 'spec.containers[0].imagee']);
  });

  it('builds the strict decoding error kubectl prints', () => {
    const e = strictDecodingError('Service', 'v1', ['spec.foo']);
    expect(e.code).toBe(400);
    expect(e.message).toBe(
      'Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.foo"',
    );
  });
});

describe('findTypeError', () => {
  it('words JSON type mismatches as Go does', () => {
    expect(findTypeError(svc({ ports: [{ port: '80' }] }))).toBe(
      'json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32',
    );
    expect(findTypeError(svc({ selector: ['app'] }))).toBe(
      'json: cannot unmarshal array into Go struct field ServiceSpec.spec.selector of type map[string]string',
    );
    expect(findTypeError(svc({ ports: [{ port: 80.5 }] }))).toBe(
      'json: cannot unmarshal number 80.5 into Go struct field ServicePort.spec.ports.port of type int32',
    );
    expect(
      findTypeError({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', labels: { v: 1.2 as unknown as string } },
      }),
    ).toBe('json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string');
    expect(findTypeError(svc({ ports: [{ port: 80, targetPort: 'http' }] }))).toBeUndefined();
  });

  it('rejects malformed quantities', () => {
    const pod = parseManifests(seedPod.replace('"64Mi"', '"64MB"'))[0]!;
    expect(() => checkDecodable(pod, false)).toThrow(
      `Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    );
  });

  it('only rejects unknown fields when strict', () => {
    const obj = svc({ foo: 1, ports: [{ port: 80 }] });
    expect(() => checkDecodable(obj, false)).not.toThrow();
    expect(() => checkDecodable(obj, true)).toThrow(ApiError);
  });
});
