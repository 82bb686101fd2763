import type { Service } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { createServiceTracker } from './service-tracker.js';

function service(name: string, spec: Record<string, unknown>): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec } as Service;
}

describe('createServiceTracker', () => {
  it('records one entry per service port with affinity and target port', () => {
    const t = createServiceTracker();
    t.onServiceAdd(
      service('web', {
        clusterIP: '10.96.0.50',
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
        ports: [
          { name: 'http', port: 80, targetPort: 8080 },
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' },
        ],
      }),
    );
    expect(t.servicePorts()).toEqual([
      expect.objectContaining({
        servicePort: 'default/web:http',
        clusterIP: '10.96.0.50',
        port: 80,
        protocol: 'TCP',
        targetPort: 8080,
        sessionAffinity: 'ClientIP',
        timeoutSeconds: 60,
      }),
      expect.objectContaining({ servicePort: 'default/web:dns', port: 53, protocol: 'UDP', targetPort: 'dns' }),
    ]);
  });

  it('skips headless, ExternalName and unallocated services, defaults the affinity timeout, forgets deleted ones', () => {
    const t = createServiceTracker();
    t.onServiceAdd(service('headless', { clusterIP: 'None', ports: [{ port: 80 }] }));
    t.onServiceAdd(service('ext', { type: 'ExternalName', externalName: 'example.com' }));
    t.onServiceAdd(service('pending', { ports: [{ port: 80 }] }));
    const web = service('web', { clusterIP: '10.96.0.50', ports: [{ port: 80 }] });
    t.onServiceAdd(web);
    expect(t.servicePorts()).toEqual([
      expect.objectContaining({
        servicePort: 'default/web',
        timeoutSeconds: 10_800,
        sessionAffinity: 'None',
        targetPort: 80,
      }),
    ]);
    t.onServiceDelete(web);
    expect(t.servicePorts()).toEqual([]);
  });

  it('skips a Service labelled service-proxy-name or headless until the label goes', () => {
    const t = createServiceTracker();
    const web = service('web', { clusterIP: '10.96.0.50', ports: [{ port: 80 }] });
    expect(t.onServiceAdd(web)).toBe(true);
    for (const label of ['service.kubernetes.io/service-proxy-name', 'service.kubernetes.io/headless']) {
      const labelled = { ...web, metadata: { ...web.metadata, labels: { [label]: 'foo-bar' } } };
      expect(t.onServiceUpdate(labelled)).toBe(true);
      expect(t.servicePorts()).toEqual([]);
      expect(t.onServiceUpdate(web)).toBe(true);
      expect(t.servicePorts()).toEqual([expect.objectContaining({ servicePort: 'default/web' })]);
    }
  });

  it('reports a change only when the proxied ports change', () => {
    const t = createServiceTracker();
    const web = service('web', { clusterIP: '10.96.0.50', ports: [{ port: 80 }] });
    expect(t.onServiceAdd(web)).toBe(true);
    // A status or label change leaves the proxied ports as they are.
    expect(t.onServiceUpdate({ ...web, status: { loadBalancer: {} } } as Service)).toBe(false);
    expect(t.onServiceUpdate({ ...web, metadata: { ...web.metadata, labels: { a: 'b' } } })).toBe(false);
    expect(t.onServiceUpdate(service('web', { clusterIP: '10.96.0.50', ports: [{ port: 81 }] }))).toBe(true);
    expect(t.onServiceAdd(service('headless', { clusterIP: 'None', ports: [{ port: 80 }] }))).toBe(false);
    expect(t.onServiceDelete(service('headless', { clusterIP: 'None' }))).toBe(false);
    expect(t.onServiceDelete(web)).toBe(true);
    expect(t.servicePorts()).toEqual([]);
  });
});
