import type { EndpointSlice, Service } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { serviceZoneChanged, sliceZoneChanged } from './zone-source.js';

const service = (spec: Record<string, unknown>, extra: Partial<Service> = {}): Service =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec, ...extra }) as Service;

const slice = (endpoints: unknown[], labels: Record<string, string> = { 'kubernetes.io/service-name': 'web' }) =>
  ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-abc', namespace: 'default', labels },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 80 }],
    endpoints,
  }) as EndpointSlice;

describe('zone relevance', () => {
  it('ignores a Service update outside its spec and sees one inside', () => {
    const web = service({ clusterIP: '10.96.0.10', ports: [{ port: 80 }] });
    expect(serviceZoneChanged(web, { ...web, status: { loadBalancer: {} } } as Service)).toBe(false);
    expect(serviceZoneChanged(web, { ...web, metadata: { ...web.metadata, resourceVersion: '9' } })).toBe(false);
    expect(serviceZoneChanged(web, service({ clusterIP: '10.96.0.10', ports: [{ port: 81 }] }))).toBe(true);
  });

  it('sees an EndpointSlice update of its endpoints or Service, and ignores one of other metadata', () => {
    const a = slice([{ addresses: ['10.244.1.2'] }]);
    expect(sliceZoneChanged(a, { ...a, metadata: { ...a.metadata, annotations: { x: 'y' } } })).toBe(false);
    expect(sliceZoneChanged(a, slice([{ addresses: ['10.244.1.2'], conditions: { ready: false } }]))).toBe(true);
    expect(sliceZoneChanged(a, slice([{ addresses: ['10.244.1.2'] }], { 'kubernetes.io/service-name': 'api' }))).toBe(
      true,
    );
  });
});
