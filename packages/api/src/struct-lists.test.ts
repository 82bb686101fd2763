import { describe, expect, it } from 'vitest';
import { defaultObject } from './defaults.js';
import type { KubeObject } from './types.js';
import { validateObject } from './validation.js';

const pod = (spec: unknown): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec }) as KubeObject;
const template = (kind: string, podSpec: unknown, matchExpressions?: unknown): KubeObject =>
  ({
    apiVersion: 'apps/v1',
    kind,
    metadata: { name: 'w', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'w' }, matchExpressions },
      template: { metadata: { labels: { app: 'w' } }, spec: podSpec },
    },
  }) as KubeObject;
const fields = (obj: KubeObject): string[] => validateObject(defaultObject(obj)).map((c) => c.field ?? '');

describe('normalizeStructLists (through defaultObject)', () => {
  it('turns null entries of object lists into empty objects that validation reports, as Go decoding does', () => {
    expect(fields(pod({ containers: [null] }))).toEqual(['spec.containers[0].name', 'spec.containers[0].image']);
    expect(fields(pod({ containers: [{ name: 'c', image: 'i', ports: [null], env: [null] }] }))).toEqual([
      'spec.containers[0].ports[0].containerPort',
      'spec.containers[0].env[0].name',
    ]);
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' } };
    expect(fields({ ...svc, spec: { ports: [null] } } as KubeObject)).toContain('spec.ports[0].port');
    for (const kind of ['Deployment', 'ReplicaSet']) {
      const out = fields(template(kind, { containers: [{ name: 'c', image: 'i', ports: [null] }] }));
      expect(out).toContain('spec.template.spec.containers[0].ports[0].containerPort');
      // An empty requirement is refused by the selector parser (400), as `matchExpressions: [{}]` always was.
      expect(() => fields(template(kind, { containers: [{ name: 'c', image: 'i' }] }, [null]))).toThrowError(
        expect.objectContaining({ code: 400 }),
      );
    }
  });

  it('refuses a list or entry of the wrong type with a 400', () => {
    expect(() => defaultObject(pod({ containers: 'x' }))).toThrowError(
      expect.objectContaining({ code: 400, message: 'spec.containers: expected an array of objects, got string' }),
    );
    expect(() => defaultObject(pod({ containers: [{ name: 'c', ports: [1] }] }))).toThrowError(
      expect.objectContaining({ code: 400, message: 'spec.containers[0].ports[0]: expected an object, got number' }),
    );
  });

  it('leaves maps alone, whatever their keys', () => {
    const p = pod({ containers: [{ name: 'c', image: 'i' }], nodeSelector: { ports: 'x' } });
    p.metadata.labels = { env: 'prod', containers: 'x' };
    expect(fields(p)).toEqual([]);
  });
});
