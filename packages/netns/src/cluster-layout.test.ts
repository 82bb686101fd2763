import { describe, expect, it } from 'vitest';
import { clusterLayout, podHostVethName, podNetnsName, subnetIndexFor, validateClusterName } from './cluster-layout.js';
import { InvalidLayoutError } from './errors.js';

describe('clusterLayout', () => {
  it('names netns, links and addresses as CONVENTIONS.md fixes them', () => {
    const l = clusterLayout('local', 3, 0);
    expect(l.underlayNetns).toBe('kemu-local-ul');
    expect(l.hostVeth).toBe('km-local');
    expect(l.hostIp).toBe('10.250.0.1');
    expect(l.nodes.map((n) => [n.name, n.netns, n.ip, n.podCidr, n.gateway, n.underlayVeth])).toEqual([
      ['node-1', 'kemu-local-node-1', '10.250.0.11', '10.244.1.0/24', '10.244.1.1', 'n-1'],
      ['node-2', 'kemu-local-node-2', '10.250.0.12', '10.244.2.0/24', '10.244.2.1', 'n-2'],
      ['node-3', 'kemu-local-node-3', '10.250.0.13', '10.244.3.0/24', '10.244.3.1', 'n-3'],
    ]);
  });

  it('rejects bad names, node counts and subnet indexes', () => {
    expect(() => clusterLayout('Bad_Name', 1, 1)).toThrow(InvalidLayoutError);
    expect(() => clusterLayout('toolongname', 1, 1)).toThrow(/1-8 characters/);
    expect(() => clusterLayout('ok', -1, 1)).toThrow(/node count/);
    expect(clusterLayout('ok', 0, 1).nodes).toEqual([]);
    expect(() => clusterLayout('ok', 1, 256)).toThrow(/subnet index/);
    expect(() => validateClusterName('abc123')).not.toThrow();
  });
});

describe('subnetIndexFor', () => {
  it('gives 0 for local and a stable index in 1..200 for other names', () => {
    expect(subnetIndexFor('local')).toBe(0);
    expect(subnetIndexFor('ktcl')).toBe(subnetIndexFor('ktcl'));
    for (const name of ['a', 'b', 'dev', 'ktcl', 'ktcl1', 'zzzzzzzz']) {
      const k = subnetIndexFor(name);
      expect(k).toBeGreaterThanOrEqual(1);
      expect(k).toBeLessThanOrEqual(200);
    }
    expect(subnetIndexFor('ktcl')).not.toBe(subnetIndexFor('ktcl1'));
  });
});

describe('pod names', () => {
  it('derives the pod netns and veth from the uid without dashes', () => {
    const uid = '0123abcd-45ef-6789-abcd-ef0123456789';
    expect(podNetnsName('local', uid)).toBe('kemu-local-pod-0123abcd45ef');
    expect(podHostVethName(uid)).toBe('v0123abcd');
  });
});
