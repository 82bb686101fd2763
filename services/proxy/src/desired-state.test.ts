import type { KubeObject } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { computeDesiredState, selectEndpoints } from './desired-state.js';
import { type EndpointInfo, createEndpointsTracker } from './endpoints-tracker.js';
import { createServiceTracker } from './service-tracker.js';

function service(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec };
}

function slice(name: string, svc: string, ports: unknown[], endpoints: unknown[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    ports,
    endpoints,
  };
}

const ep = (ip: string, conditions: Record<string, boolean> = {}, nodeName = 'node-1') => ({
  addresses: [ip],
  conditions,
  nodeName,
});

describe('selectEndpoints and computeDesiredState', () => {
  const info = (
    endpoint: string,
    ready: boolean,
    serving: boolean,
    terminating: boolean,
    nodeName = 'node-1',
  ): EndpointInfo => ({
    endpoint,
    ip: endpoint.split(':')[0] as string,
    port: 80,
    ready,
    serving,
    terminating,
    nodeName,
  });

  it('uses the ready endpoints, else serving and terminating ones (KEP-1669)', () => {
    const all = [info('a:80', true, true, false), info('b:80', false, true, true), info('c:80', false, false, false)];
    expect(selectEndpoints(all, false, 'node-1')).toEqual(['a:80']);
    expect(selectEndpoints(all.slice(1), false, 'node-1')).toEqual(['b:80']);
    expect(selectEndpoints([info('d:80', false, false, true)], false, 'node-1')).toEqual([]);
  });

  it('restricts internalTrafficPolicy=Local to this node', () => {
    const all = [info('a:80', true, true, false, 'node-2'), info('b:80', false, true, true, 'node-1')];
    expect(selectEndpoints(all, true, 'node-1')).toEqual(['b:80']);
    expect(selectEndpoints(all, true, 'node-3')).toEqual([]);
  });

  it('computes the desired state of every service port', () => {
    const services = createServiceTracker();
    const endpoints = createEndpointsTracker();
    services.onServiceAdd(service('web', { clusterIP: '10.96.0.50', ports: [{ port: 80, targetPort: 8080 }] }));
    services.onServiceAdd(service('empty', { clusterIP: '10.96.0.51', ports: [{ port: 80 }] }));
    endpoints.onEndpointSliceAdd(
      slice('web-a', 'web', [{ port: 8080 }], [ep('10.244.1.2'), ep('10.244.1.3', { ready: false })]),
    );
    const desired = computeDesiredState(services.servicePorts(), endpoints.endpointsFor, 'node-1');
    expect(desired.get('default/web')?.endpoints).toEqual(['10.244.1.2:8080']);
    expect(desired.get('default/empty')?.endpoints).toEqual([]);
  });
});
