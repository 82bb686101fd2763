import type { Pod } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { hostsFile, resolvConf } from './pod-sandbox.js';

const pod = (spec: Partial<Pod['spec']> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'shop', uid: 'u' },
  spec: { containers: [], ...spec },
});

describe('resolvConf', () => {
  it('points ClusterFirst pods at cluster DNS with the Kubernetes search path and ndots:5', () => {
    expect(resolvConf(pod(), '10.96.0.10', 'cluster.local')).toBe(
      'search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
    );
  });

  it('merges dnsConfig, keeps the node file for Default and uses only dnsConfig for None', () => {
    const dnsConfig = {
      nameservers: ['1.2.3.4'],
      searches: ['corp.example'],
      options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }],
    };
    expect(resolvConf(pod({ dnsConfig }), '10.96.0.10', 'cluster.local')).toBe(
      'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\nnameserver 1.2.3.4\noptions ndots:2 edns0\n',
    );
    expect(resolvConf(pod({ dnsPolicy: 'Default' }), '10.96.0.10', 'cluster.local')).toBeUndefined();
    expect(resolvConf(pod({ dnsPolicy: 'None', dnsConfig }), '10.96.0.10', 'cluster.local')).toBe(
      'search corp.example\nnameserver 1.2.3.4\noptions ndots:2 edns0\n',
    );
  });
});

describe('hostsFile', () => {
  it('writes the kubelet-managed hosts file', () => {
    expect(hostsFile(pod(), '10.244.1.5', 'cluster.local').split('\n').slice(-2)).toEqual(['10.244.1.5\tweb-1', '']);
    expect(hostsFile(pod({ hostname: 'db-0', subdomain: 'db' }), '10.244.1.5', 'cluster.local')).toContain(
      '10.244.1.5\tdb-0.db.shop.svc.cluster.local\tdb-0\n',
    );
    expect(
      hostsFile(pod(), '10.244.1.5', 'cluster.local').startsWith(
        '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n',
      ),
    ).toBe(true);
  });
});
