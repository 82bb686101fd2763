import { describe, expect, it } from 'vitest';
import { podFenceRuleset, subnetOf } from './pod-fence.js';

describe('pod fence', () => {
  it('masks an address to its subnet', () => {
    expect(subnetOf('10.250.3.40/24')).toBe('10.250.3.0/24');
    expect(subnetOf('172.18.0.5/16')).toBe('172.18.0.0/16');
    expect(subnetOf('10.1.2.3/32')).toBe('10.1.2.3/32');
  });

  it('replaces its own table and guards only connections opened from the pod bridge', () => {
    const rules = podFenceRuleset({ podBridge: 'cbr0', underlayCidr: '10.250.3.0/24', serviceCidr: '10.96.0.0/12' });
    expect(rules.split('\n').slice(0, 2)).toEqual(['add table inet kemu_fence', 'delete table inet kemu_fence']);
    expect(rules).toContain('iifname "cbr0" ct original ip daddr 10.96.0.0/12 accept');
    expect(rules).toContain('iifname "cbr0" ct original ip daddr 10.250.3.0/24 ct state new jump pod_new');
    expect(rules).toContain('iifname "cbr0" ct state established,related accept');
    expect(rules).not.toMatch(/table ip |table inet filter/);
  });
});
