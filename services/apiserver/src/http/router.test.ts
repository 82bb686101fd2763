import { describe, expect, it } from 'vitest';
import { parseRoute } from './router.js';

function resource(path: string) {
  const r = parseRoute(path);
  if (r.kind !== 'resource') throw new Error(`not a resource route: ${r.kind}`);
  return {
    resource: r.type.resource,
    namespace: r.namespace,
    name: r.name,
    subresource: r.subresource,
    watch: r.watchPrefix,
  };
}

describe('parseRoute', () => {
  it('routes discovery, version, health and openapi', () => {
    expect(parseRoute('/version')).toEqual({ kind: 'version' });
    expect(parseRoute('/api')).toEqual({ kind: 'discovery', core: true });
    expect(parseRoute('/apis')).toEqual({ kind: 'discovery', core: false });
    expect(parseRoute('/api/v1')).toEqual({ kind: 'group-version', group: '', version: 'v1' });
    expect(parseRoute('/apis/apps/v1')).toEqual({ kind: 'group-version', group: 'apps', version: 'v1' });
    expect(parseRoute('/apis/apps')).toEqual({ kind: 'group', group: 'apps' });
    expect(parseRoute('/readyz')).toEqual({ kind: 'health', check: 'readyz' });
    expect(parseRoute('/openapi/v3')).toEqual({ kind: 'openapi-root' });
    expect(parseRoute('/openapi/v3/api/v1')).toEqual({ kind: 'openapi-document', group: '', version: 'v1' });
    expect(parseRoute('/openapi/v3/apis/discovery.k8s.io/v1')).toEqual({
      kind: 'openapi-document',
      group: 'discovery.k8s.io',
      version: 'v1',
    });
    expect(parseRoute('/openapi/v2')).toEqual({ kind: 'openapi-v2' });
    expect(parseRoute('/openapi/v2/x').kind).toBe('not-found');
    expect(parseRoute('/apis/storage.k8s.io/v1').kind).toBe('not-found');
  });

  it('routes namespaced, cluster-scoped and all-namespace resource paths', () => {
    expect(resource('/api/v1/namespaces/default/pods')).toEqual({
      resource: 'pods',
      namespace: 'default',
      name: undefined,
      subresource: undefined,
      watch: false,
    });
    expect(resource('/api/v1/namespaces/default/pods/web/status')).toMatchObject({
      name: 'web',
      subresource: 'status',
    });
    expect(resource('/api/v1/pods')).toMatchObject({ resource: 'pods', namespace: undefined, name: undefined });
    expect(resource('/api/v1/namespaces')).toMatchObject({ resource: 'namespaces', name: undefined });
    expect(resource('/api/v1/namespaces/kube-system')).toMatchObject({ resource: 'namespaces', name: 'kube-system' });
    expect(resource('/api/v1/namespaces/kube-system/status')).toMatchObject({
      resource: 'namespaces',
      name: 'kube-system',
      subresource: 'status',
    });
    expect(resource('/api/v1/nodes/node-1')).toMatchObject({ resource: 'nodes', name: 'node-1' });
    expect(resource('/apis/apps/v1/namespaces/prod/deployments/shop')).toMatchObject({
      resource: 'deployments',
      namespace: 'prod',
      name: 'shop',
    });
    expect(resource('/apis/networking.k8s.io/v1/ipaddresses/10.96.0.1')).toMatchObject({
      resource: 'ipaddresses',
      name: '10.96.0.1',
    });
    expect(resource('/api/v1/watch/namespaces/default/pods')).toMatchObject({ resource: 'pods', watch: true });
  });

  it('refuses types in the wrong group and namespaced names without a namespace', () => {
    expect(parseRoute('/api/v1/deployments').kind).toBe('not-found');
    expect(parseRoute('/apis/apps/v1/pods').kind).toBe('not-found');
    expect(parseRoute('/api/v1/pods/web').kind).toBe('not-found');
    expect(parseRoute('/api/v1/namespaces/default/nodes').kind).toBe('not-found');
  });
});
