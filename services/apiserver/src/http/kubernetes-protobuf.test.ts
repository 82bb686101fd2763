import { describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf, isProtobuf } from './kubernetes-protobuf.js';

// Bodies captured from kubectl 1.32: create ns production; create deployment web --image=nginx:1.27
// --replicas=0 --port=8080; create service clusterip web --tcp=80:8080 --tcp=443:https.
const namespaceBody =
  '6b3873000a0f0a02763112094e616d65737061636512220a1a0a0a70726f64756374696f6e12001a0022002a0032003800420012001a020a001a002200';
const deploymentBody =
  '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412be010a1f0a0377656212001a0022002a003200380042005a0a0a036170701203776562128c010800120c0a0a0a0361707012037765621a720a1c0a0012001a0022002a003200380042005a0a0a036170701203776562125212340a056e67696e78120a6e67696e783a312e32372a00320b0a00100018903f22002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200';
const serviceBody =
  '6b3873000a0d0a027631120753657276696365128d010a1f0a0377656212001a0022002a003200380042005a0a0a03617070120377656212660a1b0a0738302d38303830120354435018502207080010903f1a0028000a220a093434332d6874747073120354435018bb03220b080110001a0568747470732800120a0a0361707012037765621a002209436c757374657249503a00420052005a00600068001a020a001a002200';

const decode = (hex: string) => decodeKubernetesProtobuf(Buffer.from(hex, 'hex'));

describe('decodeKubernetesProtobuf', () => {
  it('decodes the Namespace kubectl create namespace sends', () => {
    expect(decode(namespaceBody)).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'production' } });
  });

  it('decodes a Deployment, keeping replicas 0', () => {
    expect(decode(deploymentBody)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 8080 }] }] },
        },
      },
    });
  });

  it('decodes a Service with numeric and named target ports', () => {
    const svc = decode(serviceBody) as { spec: { ports: unknown[]; type: string } };
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.ports).toEqual([
      { name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 },
      { name: '443-https', protocol: 'TCP', port: 443, targetPort: 'https' },
    ]);
  });

  it('decodes the SelfSubjectRulesReview kubectl auth can-i --list sends', () => {
    // Unknown{typeMeta authorization.k8s.io/v1 SelfSubjectRulesReview, raw {metadata {}, spec {namespace team}, status {}}}
    const rulesReview =
      '6b3873000a310a17617574686f72697a6174696f6e2e6b38732e696f2f7631121653656c665375626a65637452756c6573526576696577120c0a0012060a047465616d1a00';
    expect(decode(rulesReview)).toMatchObject({ kind: 'SelfSubjectRulesReview', spec: { namespace: 'team' } });
  });

  it('refuses bodies without the magic prefix or of unknown kinds', () => {
    expect(() => decodeKubernetesProtobuf(Buffer.from('{}'))).toThrow(/magic/);
    const other = Buffer.from(namespaceBody.replace('4e616d657370616365', '4e616d657370616366'), 'hex'); // Namespacf
    expect(() => decodeKubernetesProtobuf(other)).toThrow(/not supported/);
    expect(isProtobuf('application/vnd.kubernetes.protobuf')).toBe(true);
    expect(isProtobuf('application/json')).toBe(false);
  });
});
