import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi.js';

type Doc = { components: { schemas: Record<string, Record<string, unknown>> } };
type Props = { properties: Record<string, { type?: string; description?: string; properties?: unknown }> };

describe('OpenAPI v3 component schemas', () => {
  it('gives every kind a schema kubectl explain finds by group-version-kind', () => {
    const apps = (openApiDocument('apps', 'v1') as Doc).components.schemas;
    expect(Object.keys(apps)).toEqual([
      'io.k8s.api.apps.v1.Deployment',
      'io.k8s.api.apps.v1.ReplicaSet',
      'io.k8s.api.apps.v1.StatefulSet',
      'io.k8s.api.apps.v1.DaemonSet',
      'io.k8s.api.apps.v1.ControllerRevision',
    ]);
    const sts = apps['io.k8s.api.apps.v1.StatefulSet'] as Props & Record<string, unknown>;
    expect(sts['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', kind: 'StatefulSet', version: 'v1' }]);
    const spec = sts.properties.spec as Props & { description?: string };
    expect(spec.description).toBe('Spec defines the desired identities of pods in this set.');
    expect(spec.properties.replicas).toMatchObject({ type: 'integer' });
    expect(spec.properties.serviceName?.description).toMatch(/^serviceName is the name of the service that governs/);
    const batch = (openApiDocument('batch', 'v1') as Doc).components.schemas;
    const cron = batch['io.k8s.api.batch.v1.CronJob'] as Props;
    expect(((cron.properties.spec as Props).properties.schedule as { description: string }).description).toMatch(
      /Cron format/,
    );
  });
});
