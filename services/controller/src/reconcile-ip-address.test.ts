import type { IPAddress, Service } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { reconcileIPAddress } from './reconcile-ip-address.js';

const now = new Date('2025-01-01T00:01:00Z');
function ip(address: string, created?: string, resource = 'services'): IPAddress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IPAddress',
    metadata: { name: address, ...(created ? { creationTimestamp: created } : {}) },
    spec: { parentRef: { group: '', resource, namespace: 'default', name: 'web' } },
  };
}
const svc = (clusterIP: string): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default' },
  spec: { clusterIP, clusterIPs: [clusterIP] },
});

describe('reconcileIPAddress', () => {
  const cases: { name: string; ip: IPAddress; service: Service | undefined; firstSeen?: Date; want: unknown }[] = [
    {
      name: 'keeps the address of an existing service',
      ip: ip('10.96.0.20', '2025-01-01T00:00:00Z'),
      service: svc('10.96.0.20'),
      want: { action: 'keep' },
    },
    {
      name: 'deletes an old address whose service is gone',
      ip: ip('10.96.0.20', '2025-01-01T00:00:00Z'),
      service: undefined,
      want: { action: 'delete', reason: 'service not found' },
    },
    {
      name: 'deletes an old address whose service holds another IP',
      ip: ip('10.96.0.20', '2025-01-01T00:00:00Z'),
      service: svc('10.96.0.21'),
      want: { action: 'delete', reason: 'service has another clusterIP' },
    },
    {
      name: 'waits out the grace of a fresh orphan',
      ip: ip('10.96.0.20', '2025-01-01T00:00:57Z'),
      service: undefined,
      want: { action: 'wait', delayMs: 7_999 },
    },
    {
      name: 'uses the first sighting when there is no creationTimestamp',
      ip: ip('10.96.0.20'),
      service: undefined,
      firstSeen: new Date('2025-01-01T00:00:58Z'),
      want: { action: 'wait', delayMs: 8_000 },
    },
    {
      name: 'leaves addresses of other parents alone',
      ip: ip('10.96.0.20', '2025-01-01T00:00:00Z', 'gateways'),
      service: undefined,
      want: { action: 'keep' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(reconcileIPAddress(c.ip, c.service, now, 10_000, c.firstSeen)).toEqual(c.want);
    });
  }
});
