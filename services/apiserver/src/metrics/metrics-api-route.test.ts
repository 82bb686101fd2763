import { describe, expect, it } from 'vitest';
import { parseRoute } from '../http/router.js';
import { requestAttributes } from '../auth/request-attributes.js';

describe('metrics.k8s.io routes', () => {
  it('parses the group, its resource list, nodes and pods in a namespace or across all', () => {
    expect(parseRoute('/apis/metrics.k8s.io')).toMatchObject({ kind: 'metrics-api', version: undefined });
    expect(parseRoute('/apis/metrics.k8s.io/v1beta1')).toMatchObject({ kind: 'metrics-api', resource: undefined });
    expect(parseRoute('/apis/metrics.k8s.io/v1beta1/nodes/n1')).toEqual({
      kind: 'metrics-api',
      resource: 'nodes',
      version: 'v1beta1',
      namespace: undefined,
      name: 'n1',
    });
    expect(parseRoute('/apis/metrics.k8s.io/v1beta1/pods')).toMatchObject({ resource: 'pods', namespace: undefined });
    expect(parseRoute('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web')).toMatchObject({
      resource: 'pods',
      namespace: 'default',
      name: 'web',
    });
    expect(parseRoute('/apis/metrics.k8s.io/v1/nodes').kind).toBe('not-found');
    expect(parseRoute('/apis/metrics.k8s.io/v1beta1/services').kind).toBe('not-found');
    expect(parseRoute('/metrics')).toEqual({ kind: 'metrics' });
    expect(parseRoute('/metrics/other').kind).toBe('not-found');
  });

  it('authorizes them as get or list of the metrics.k8s.io resources, and /metrics as a path', () => {
    const q = new URLSearchParams();
    expect(requestAttributes('GET', parseRoute('/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods'), '', q)).toEqual({
      kind: 'resource',
      verb: 'list',
      group: 'metrics.k8s.io',
      resource: 'pods',
      subresource: '',
      namespace: 'ns',
      name: '',
    });
    expect(requestAttributes('GET', parseRoute('/apis/metrics.k8s.io/v1beta1/nodes/n1'), '', q)).toMatchObject({
      verb: 'get',
      resource: 'nodes',
      name: 'n1',
    });
    expect(requestAttributes('GET', parseRoute('/metrics'), '/metrics', q)).toEqual({
      kind: 'non-resource',
      verb: 'get',
      path: '/metrics',
    });
  });
});
