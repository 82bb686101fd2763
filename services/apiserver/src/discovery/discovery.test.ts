import { describe, expect, it } from 'vitest';
import { aggregatedDiscovery, apiResourceList, legacyApiGroupList, wantsAggregatedDiscovery } from './discovery.js';
import { wantsTable } from '../http/negotiation.js';
import { openApiDocument, openApiRoot } from './openapi.js';

interface Resource {
  resource: string;
  scope: string;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
  singularResource: string;
  subresources?: { subresource: string }[];
}
interface Item {
  metadata: { name?: string };
  versions: { version: string; resources: Resource[] }[];
}

describe('discovery', () => {
  it('lists core resources with short names, categories, verbs and pod subresources', () => {
    const core = aggregatedDiscovery(true) as { kind: string; items: Item[] };
    expect(core.kind).toBe('APIGroupDiscoveryList');
    expect(core.items).toHaveLength(1);
    const resources = core.items[0]?.versions[0]?.resources ?? [];
    const pods = resources.find((r) => r.resource === 'pods');
    expect(pods).toMatchObject({
      scope: 'Namespaced',
      shortNames: ['po'],
      categories: ['all'],
      singularResource: 'pod',
    });
    expect(pods?.verbs).toContain('watch');
    expect(pods?.subresources?.map((s) => s.subresource).sort()).toEqual([
      'attach',
      'exec',
      'log',
      'portforward',
      'proxy',
      'status',
    ]);
    expect(resources.find((r) => r.resource === 'namespaces')).toMatchObject({ scope: 'Cluster', shortNames: ['ns'] });
  });

  it('lists named groups under /apis', () => {
    const groups = aggregatedDiscovery(false) as { items: Item[] };
    expect(groups.items.map((i) => i.metadata.name)).toEqual([
      'apps',
      'batch',
      'discovery.k8s.io',
      'networking.k8s.io',
      'coordination.k8s.io',
      'rbac.authorization.k8s.io',
      'authorization.k8s.io',
      'metrics.k8s.io',
    ]);
    const metrics = groups.items.at(-1)?.versions[0];
    expect(metrics?.version).toBe('v1beta1');
    expect(metrics?.resources.map((r) => r.resource)).toEqual(['nodes', 'pods']);
    expect((legacyApiGroupList() as { groups: { name: string }[] }).groups.map((g) => g.name)).toContain(
      'metrics.k8s.io',
    );
    const apps = groups.items[0]?.versions[0]?.resources.map((r) => r.resource);
    expect(apps).toEqual(['deployments', 'replicasets', 'statefulsets', 'daemonsets', 'controllerrevisions']);
    expect((legacyApiGroupList() as { groups: { name: string }[] }).groups.map((g) => g.name)).toContain('apps');
    const v1 = apiResourceList('', 'v1') as { resources: { name: string }[] };
    expect(v1.resources.map((r) => r.name)).toContain('pods/log');
  });

  it('recognises the Accept headers kubectl sends', () => {
    expect(
      wantsAggregatedDiscovery(
        'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json',
      ),
    ).toBe(true);
    expect(wantsAggregatedDiscovery('application/json, */*')).toBe(false);
    expect(
      wantsTable(
        'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
      ),
    ).toBe(true);
    expect(wantsTable('application/vnd.kubernetes.protobuf,application/json')).toBe(false);
  });
});

describe('openapi', () => {
  it('links one document per group/version with a hash', () => {
    const root = openApiRoot() as { paths: Record<string, { serverRelativeURL: string }> };
    expect(Object.keys(root.paths)).toEqual([
      'api/v1',
      'apis/apps/v1',
      'apis/batch/v1',
      'apis/discovery.k8s.io/v1',
      'apis/networking.k8s.io/v1',
      'apis/coordination.k8s.io/v1',
      'apis/rbac.authorization.k8s.io/v1',
    ]);
    expect(root.paths['api/v1']?.serverRelativeURL).toMatch(/^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
  });

  it('gives PATCH operations a group-version-kind and a fieldValidation parameter', () => {
    const doc = openApiDocument('apps', 'v1') as { paths: Record<string, { patch?: Record<string, unknown> }> };
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']?.patch;
    expect(patch?.['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(((patch?.parameters ?? []) as { name: string }[]).map((p) => p.name)).toContain('fieldValidation');
    const core = openApiDocument('', 'v1') as { paths: Record<string, unknown> };
    expect(Object.keys(core.paths)).toContain('/api/v1/nodes/{name}');
  });

  it('carries a component schema per kind for kubectl explain, with its group-version-kind', () => {
    const core = openApiDocument('', 'v1') as { components: { schemas: Record<string, Record<string, unknown>> } };
    const cm = core.components.schemas['io.k8s.api.core.v1.ConfigMap'];
    expect(cm?.['x-kubernetes-group-version-kind']).toEqual([{ group: '', version: 'v1', kind: 'ConfigMap' }]);
    expect(cm?.description).toBe('ConfigMap holds configuration data for pods to consume.');
    expect((cm?.properties as Record<string, unknown> | undefined)?.binaryData).toMatchObject({
      type: 'object',
      additionalProperties: { type: 'string' },
    });
    expect(core.components.schemas['io.k8s.api.core.v1.Secret']).toBeDefined();
  });
});
