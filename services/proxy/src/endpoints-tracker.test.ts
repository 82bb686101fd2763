import type { EndpointSlice } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { createEndpointsTracker } from './endpoints-tracker.js';

function slice(name: string, svc: string, ports: unknown[], endpoints: unknown[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    ports,
    endpoints,
  } as EndpointSlice;
}

const ep = (ip: string, conditions: Record<string, boolean> = {}, nodeName = 'node-1') => ({
  addresses: [ip],
  conditions,
  nodeName,
});

describe('createEndpointsTracker', () => {
  it('maps slice endpoints to ip:port per matching port name and merges slices', () => {
    const t = createEndpointsTracker();
    t.onEndpointSliceAdd(
      slice(
        'web-a',
        'web',
        [
          { name: 'http', port: 8080 },
          { name: 'metrics', port: 9090 },
        ],
        [ep('10.244.1.2'), ep('10.244.1.3', { ready: false, serving: true, terminating: true })],
      ),
    );
    t.onEndpointSliceAdd(slice('web-b', 'web', [{ name: 'http', port: 8080 }], [ep('10.244.2.2')]));
    expect(t.endpointsFor('default/web:http').map((e) => [e.endpoint, e.ready, e.terminating])).toEqual([
      ['10.244.1.2:8080', true, false],
      ['10.244.1.3:8080', false, true],
      ['10.244.2.2:8080', true, false],
    ]);
    expect(t.endpointsFor('default/web:metrics').map((e) => e.endpoint)).toEqual([
      '10.244.1.2:9090',
      '10.244.1.3:9090',
    ]);
    t.onEndpointSliceUpdate(slice('web-a', 'web', [{ name: 'http', port: 8080 }], []));
    expect(t.endpointsFor('default/web:http').map((e) => e.endpoint)).toEqual(['10.244.2.2:8080']);
    expect(t.endpointsFor('default/web:metrics')).toEqual([]);
    t.onEndpointSliceDelete(slice('web-b', 'web', [], []));
    expect(t.endpointsFor('default/web:http')).toEqual([]);
  });

  it('ignores slices without the service-name label or of another address type', () => {
    const t = createEndpointsTracker();
    const unlabelled = slice('x', 'web', [{ port: 80 }], [ep('10.244.1.2')]);
    unlabelled.metadata.labels = {};
    t.onEndpointSliceAdd(unlabelled);
    t.onEndpointSliceAdd({ ...slice('y', 'web', [{ port: 80 }], [ep('fd00::1')]), addressType: 'IPv6' });
    expect(t.endpointsFor('default/web')).toEqual([]);
  });

  it('replaces its content on replaceAll', () => {
    const t = createEndpointsTracker();
    t.onEndpointSliceAdd(slice('a', 'web', [{ port: 80 }], [ep('10.244.1.2')]));
    t.replaceAll([slice('b', 'web', [{ port: 80 }], [ep('10.244.1.9')])]);
    expect(t.endpointsFor('default/web').map((e) => e.endpoint)).toEqual(['10.244.1.9:80']);
  });

  it('reports a change only when a slice changes the endpoints it contributes', () => {
    const t = createEndpointsTracker();
    const a = slice('a', 'web', [{ port: 80 }], [ep('10.244.1.2')]);
    expect(t.onEndpointSliceAdd(a)).toBe(true);
    // Metadata the proxy does not read (an annotation, a new resourceVersion).
    expect(t.onEndpointSliceUpdate({ ...a, metadata: { ...a.metadata, annotations: { x: 'y' } } })).toBe(false);
    expect(t.onEndpointSliceUpdate(slice('a', 'web', [{ port: 80 }], [ep('10.244.1.2', { ready: false })]))).toBe(true);
    expect(t.endpointsFor('default/web')[0]?.ready).toBe(false);
    const unlabelled = slice('x', 'web', [{ port: 80 }], [ep('10.244.1.3')]);
    unlabelled.metadata.labels = {};
    expect(t.onEndpointSliceAdd(unlabelled)).toBe(false);
    expect(t.onEndpointSliceDelete(unlabelled)).toBe(false);
    expect(t.onEndpointSliceDelete(a)).toBe(true);
    expect(t.endpointsFor('default/web')).toEqual([]);
  });
});
