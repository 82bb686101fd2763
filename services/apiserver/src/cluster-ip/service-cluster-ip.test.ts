import { service } from '@kemu/testkit';
import { describe, expect, it } from 'vitest';
import { dropTypeDependentFields } from './service-cluster-ip.js';

describe('dropTypeDependentFields', () => {
  const old = service('web', { clusterIP: '10.96.0.20' });
  old.spec.clusterIPs = ['10.96.0.20'];
  old.spec.ipFamilies = ['IPv4'];
  old.spec.ipFamilyPolicy = 'SingleStack';

  it('clears the stored address and families when a Service becomes ExternalName', () => {
    const next = structuredClone(old);
    next.spec.type = 'ExternalName';
    next.spec.externalName = 'db.example.com';
    dropTypeDependentFields(next, old);
    expect(next.spec.clusterIP).toBeUndefined();
    expect(next.spec.clusterIPs).toBeUndefined();
    expect(next.spec.ipFamilies).toBeUndefined();
    expect(next.spec.ipFamilyPolicy).toBeUndefined();
  });

  it('keeps what the client set itself, and changes nothing for other updates', () => {
    const asked = structuredClone(old);
    asked.spec.type = 'ExternalName';
    asked.spec.clusterIP = '10.96.0.21';
    dropTypeDependentFields(asked, old);
    expect(asked.spec.clusterIP).toBe('10.96.0.21');
    const same = structuredClone(old);
    dropTypeDependentFields(same, old);
    expect(same).toEqual(old);
  });
});
