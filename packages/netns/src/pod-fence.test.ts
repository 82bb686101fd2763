import { describe, expect, it } from 'vitest';
import { podFenceRuleset, subnetOf } from './pod-fence.js';

describe('pod fence', () => {
  it('masks an address to its subnet', () => {
    expect(subnetOf('10.250.3.40/24')).toBe('10.250.3.0/24');
    expect(subnetOf('172.18.0.5/16')).toBe('172.18.0.0/16');
    expect(subnetOf('10.1.2.3/32')).toBe('10.1.2.3/32');
  });

  it('replaces its own table and guards only TCP connections opened from the pod bridge, before DNAT, without conntrack', () => {
    const rules = podFenceRuleset({ podBridge: 'cbr0', underlayCidr: '10.250.3.0/24', serviceCidr: '10.96.0.0/12' });
    expect(rules.split('\n').slice(0, 2)).toEqual(['add table inet kemu_fence', 'delete table inet kemu_fence']);
    expect(rules).toContain('type filter hook prerouting priority -150;');
    const syn = 'iifname "cbr0" tcp flags & (syn | ack) == syn';
    // In this order: ClusterIPs (local addresses of the node) pass before the local-address rule drops.
    const order = [
      `${syn} ip daddr 10.96.0.0/12 accept`,
      `${syn} ip daddr 10.250.3.0/24 jump pod_new`,
      `${syn} fib daddr type local jump pod_new`,
    ].map((rule) => rules.indexOf(rule));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
    expect(rules).not.toMatch(/\bct\b/);
    expect(rules).not.toMatch(/table ip |table inet filter/);
  });
});
