import { describe, expect, it } from 'vitest';
import { defaultObject } from './defaults.js';
import { invalid } from './errors.js';
import type { KubeObject } from './types.js';
import { validateObject } from './validation.js';

const svc = (spec: Record<string, unknown>, name = 'web-service'): KubeObject =>
  defaultObject({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec });
const pod = (spec: Record<string, unknown>, name = 'web-pod-1'): KubeObject =>
  defaultObject({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'web' } },
    spec,
  });
const fields = (obj: KubeObject, old?: KubeObject): string[] =>
  validateObject(obj, old).map((c) => `${c.field}: ${c.message}`);

describe('validateObject: Service', () => {
  it('accepts the seed guide Service', () => {
    expect(
      validateObject(
        svc({ type: 'ClusterIP', selector: { app: 'web', tier: 'frontend' }, ports: [{ port: 80, targetPort: 8080 }] }),
      ),
    ).toEqual([]);
  });

  it('requires a DNS-1035 name', () => {
    expect(validateObject(svc({ ports: [{ port: 80 }] }, '1web'))).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'metadata.name',
        message: `Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
      },
    ]);
  });

  it('checks port ranges and protocols with Kubernetes causes', () => {
    const causes = validateObject(svc({ ports: [{ port: 0, protocol: 'FOO', targetPort: 99999 }] }));
    expect(causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: 0: must be between 1 and 65535, inclusive',
        field: 'spec.ports[0].port',
      },
      {
        reason: 'FieldValueNotSupported',
        message: 'Unsupported value: "FOO": supported values: "SCTP", "TCP", "UDP"',
        field: 'spec.ports[0].protocol',
      },
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: 99999: must be between 1 and 65535, inclusive',
        field: 'spec.ports[0].targetPort',
      },
    ]);
  });

  it('requires unique DNS-1123 port names when there are several ports', () => {
    expect(
      fields(
        svc({ ports: [{ port: 80 }, { name: 'Web', port: 81 }, { name: 'Web', port: 82, targetPort: 'http--x' }] }),
      ),
    ).toEqual([
      'spec.ports[0].name: Required value',
      expect.stringMatching(/^spec\.ports\[1\]\.name: Invalid value: "Web": a lowercase RFC 1123 label/),
      expect.stringMatching(/^spec\.ports\[2\]\.name: Invalid value: "Web": a lowercase RFC 1123 label/),
      'spec.ports[2].name: Duplicate value: "Web"',
      'spec.ports[2].targetPort: Invalid value: "http--x": must not contain consecutive hyphens',
    ]);
  });

  it('reports a duplicate (port, protocol) pair', () => {
    expect(
      fields(
        svc({
          ports: [
            { name: 'a', port: 80 },
            { name: 'b', port: 80 },
            { name: 'c', port: 80, protocol: 'UDP' },
          ],
        }),
      ),
    ).toEqual([
      'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    ]);
  });

  it('requires ports except for headless services', () => {
    expect(fields(svc({ selector: { app: 'x' } }))).toEqual(['spec.ports: Required value']);
    expect(fields(svc({ clusterIP: 'None', selector: { app: 'x' } }))).toEqual([]);
  });

  it('validates selector labels and the session affinity timeout', () => {
    expect(
      fields(
        svc({
          selector: { 'bad key!': 'x' },
          ports: [{ port: 80 }],
          sessionAffinity: 'ClientIP',
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } },
        }),
      ),
    ).toEqual([
      expect.stringMatching(/^spec\.selector: Invalid value: "bad key!": name part must consist of/),
      'spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400',
    ]);
    expect(fields(svc({ ports: [{ port: 80 }], sessionAffinity: 'Sticky' }))).toEqual([
      'spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"',
    ]);
  });

  it('forbids nodePort on ClusterIP services and checks the type', () => {
    expect(fields(svc({ ports: [{ port: 80, nodePort: 30080 }] }))).toEqual([
      "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
    ]);
    expect(fields(svc({ type: 'Magic', ports: [{ port: 80 }] }))).toEqual([
      'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    ]);
  });

  it('keeps clusterIP immutable on update', () => {
    const old = svc({ ports: [{ port: 80 }], clusterIP: '10.96.0.10' });
    expect(validateObject(svc({ ports: [{ port: 80 }], clusterIP: '10.96.0.10' }), old)).toEqual([]);
    expect(validateObject(svc({ ports: [{ port: 80 }], clusterIP: '10.96.0.11' }), old)).toEqual([
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "10.96.0.11": field is immutable',
        field: 'spec.clusterIP',
      },
    ]);
    expect(validateObject(svc({ type: 'ExternalName', externalName: 'example.com' }), old)).toEqual([]);
  });

  it('produces causes that render as kubectl prints them', () => {
    const e = invalid('Service', 'e1', validateObject(svc({ ports: [{ port: 99999 }] }, 'e1'))); // targetPort defaults to port, so both fail;
    expect(e.code).toBe(422);
    expect(e.message).toBe(
      'Service "e1" is invalid: [spec.ports[0].port: Invalid value: 99999: must be between 1 and 65535, inclusive, ' +
        'spec.ports[0].targetPort: Invalid value: 99999: must be between 1 and 65535, inclusive]',
    );
  });
});

describe('validateObject: Pod', () => {
  it('accepts the seed guide pods', () => {
    expect(
      validateObject(
        pod({
          containers: [
            {
              name: 'nginx',
              image: 'nginx',
              ports: [{ containerPort: 8080 }],
              livenessProbe: { httpGet: { path: '/health', port: 8080 } },
              resources: { requests: { memory: '64Mi', cpu: '250m' }, limits: { memory: '128Mi', cpu: '500m' } },
            },
          ],
        }),
      ),
    ).toEqual([]);
    expect(
      validateObject(
        pod(
          { containers: [{ name: 'app', image: 'myapp:latest', env: [{ name: 'DB_HOST', value: 'mysql-service' }] }] },
          'app-pod',
        ),
      ),
    ).toEqual([]);
  });

  it('requires containers and container images', () => {
    expect(fields(pod({ containers: [] }))).toEqual(['spec.containers: Required value']);
    expect(validateObject(pod({ containers: [{ name: 'app' }] }, 'bad-pod'))).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' },
    ]);
  });

  it('checks container names, ports and restartPolicy', () => {
    expect(
      fields(
        pod({
          restartPolicy: 'Sometimes',
          containers: [
            { name: 'App', image: 'x', ports: [{ containerPort: 70000, protocol: 'ICMP' }] },
            { name: 'b', image: 'x' },
            { name: 'b', image: 'y' },
          ],
        }),
      ),
    ).toEqual([
      expect.stringMatching(
        /^spec\.containers\[0\]\.name: Invalid value: "App": a lowercase RFC 1123 label must consist/,
      ),
      'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
      'spec.containers[2].name: Duplicate value: "b"',
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]);
  });

  it('checks probes, volume mounts and resource limits', () => {
    expect(
      fields(
        pod({
          containers: [
            {
              name: 'a',
              image: 'x',
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
              livenessProbe: { successThreshold: 2, periodSeconds: -1 },
              resources: { requests: { memory: '256Mi' }, limits: { memory: '128Mi' } },
            },
          ],
        }),
      ),
    ).toEqual([
      'spec.containers[0].volumeMounts[0].name: Not found: "data"',
      'spec.containers[0].resources.requests: Invalid value: "256Mi": must be less than or equal to memory limit of 128Mi',
      'spec.containers[0].livenessProbe: Required value: must specify a handler type',
      'spec.containers[0].livenessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0',
      'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
    ]);
  });

  it('forbids spec changes other than images on update', () => {
    const old = pod({ containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] });
    expect(
      validateObject(pod({ containers: [{ name: 'app', image: 'nginx:1.28', ports: [{ containerPort: 80 }] }] }), old),
    ).toEqual([]);
    const causes = validateObject(pod({ containers: [{ name: 'app', image: 'nginx:1.28' }] }), old);
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatchObject({ reason: 'FieldValueForbidden', field: 'spec' });
    expect(causes[0]!.message).toMatch(
      /^Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/,
    );
  });

  it('checks metadata labels and name changes', () => {
    const p = pod({ containers: [{ name: 'a', image: 'x' }] });
    p.metadata.labels = { app: 'bad value' };
    expect(fields(p)).toEqual([
      expect.stringMatching(/^metadata\.labels: Invalid value: "bad value": a valid label must be an empty string/),
    ]);
    const renamed = pod({ containers: [{ name: 'a', image: 'x' }] }, 'other');
    expect(fields(renamed, pod({ containers: [{ name: 'a', image: 'x' }] }))).toEqual([
      'metadata.name: Invalid value: "other": field is immutable',
    ]);
  });
});

describe('validateObject: workloads and others', () => {
  const deploy = (spec: Record<string, unknown>): KubeObject =>
    defaultObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'shop', namespace: 'default' },
      spec,
    });
  const template = {
    metadata: { labels: { app: 'shop' } },
    spec: { containers: [{ name: 'shop', image: 'example/shop:1.0' }] },
  };

  it('accepts a Deployment whose selector matches its template', () => {
    expect(validateObject(deploy({ selector: { matchLabels: { app: 'shop' } }, template }))).toEqual([]);
  });

  it('rejects a selector that does not match the template labels', () => {
    expect(fields(deploy({ selector: { matchLabels: { app: 'other' } }, template }))).toEqual([
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"shop"}: `selector` does not match template `labels`',
    ]);
    expect(fields(deploy({ template }))).toEqual(['spec.selector: Required value']);
  });

  it('keeps the selector immutable and validates the template', () => {
    const old = deploy({ selector: { matchLabels: { app: 'shop' } }, template });
    const changed = deploy({
      selector: { matchLabels: { app: 'shop', v: '2' } },
      template: { ...template, metadata: { labels: { app: 'shop', v: '2' } } },
    });
    expect(fields(changed, old)).toEqual([
      'spec.selector: Invalid value: &v1.LabelSelector{MatchLabels:map[string]string{"app":"shop", "v":"2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
    expect(
      fields(
        deploy({
          selector: { matchLabels: { app: 'shop' } },
          template: { ...template, spec: { containers: [{ name: 'shop' }] } },
        }),
      ),
    ).toEqual(['spec.template.spec.containers[0].image: Required value']);
  });

  it('validates namespace names and endpoint addresses', () => {
    expect(fields(defaultObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'Prod' } }))).toEqual([
      expect.stringMatching(/^metadata\.name: Invalid value: "Prod": a lowercase RFC 1123 label/),
    ]);
    const ep: KubeObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'web-service', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '10.1.1.300' }], ports: [{ port: 8080, protocol: 'TCP' }] }],
    };
    expect(fields(ep)).toEqual([
      'subsets[0].addresses[0].ip: Invalid value: "10.1.1.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ]);
  });
});
