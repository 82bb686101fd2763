import { describe, expect, it } from 'vitest';
import { endpointChainName } from './chain-names.js';
import { planTransaction } from './plan-transaction.js';
import { renderRuleSet } from './render-rule-set.js';
import { desiredPort, desiredState } from './testing/desired-fixture.js';

const NONE = { chains: [], sets: [], maps: [] };

/** Web with two endpoints, DNS (UDP, ClientIP affinity) with one, and a Service without endpoints. */
const before = desiredState(
  desiredPort('web', '10.96.0.10', 80, ['10.244.1.2:8080', '10.244.1.3:8080']),
  desiredPort('dns', '10.96.0.11', 53, ['10.244.1.2:5353'], {
    portName: 'dns',
    protocol: 'UDP',
    sessionAffinity: 'ClientIP',
    timeoutSeconds: 60,
  }),
  desiredPort('empty', '10.96.0.12', 80, [], { portName: '' }),
);

/** One web endpoint gone, the empty Service got one, DNS unchanged. */
const after = desiredState(
  desiredPort('web', '10.96.0.10', 80, ['10.244.1.3:8080']),
  desiredPort('dns', '10.96.0.11', 53, ['10.244.1.2:5353'], {
    portName: 'dns',
    protocol: 'UDP',
    sessionAffinity: 'ClientIP',
    timeoutSeconds: 60,
  }),
  desiredPort('empty', '10.96.0.12', 80, ['10.244.1.4:80'], { portName: '' }),
);

const text = (lines: string[]) => `${lines.join('\n')}\n`;

describe('renderRuleSet + planTransaction (golden)', () => {
  it('renders a full sync as kube-proxy names and orders it', async () => {
    const lines = planTransaction({ applied: undefined, wanted: renderRuleSet(before), existing: NONE });
    await expect(text(lines)).toMatchFileSnapshot('testdata/full-sync.nft');
  });

  it('renders a partial sync that touches only the changed service ports', async () => {
    const lines = planTransaction({ applied: renderRuleSet(before), wanted: renderRuleSet(after) });
    await expect(text(lines)).toMatchFileSnapshot('testdata/partial-sync.nft');
    expect(lines.some((l) => l.includes('dns'))).toBe(false);
  });

  it('masquerades ClusterIP traffic from outside the cluster CIDR when one is given', () => {
    const rs = renderRuleSet(before, { clusterCIDR: '10.244.0.0/16' });
    const chain = rs.chains.get('service-SUSTUHLJ-default/web/tcp/http');
    expect(chain?.rules[0]).toBe('ip daddr 10.96.0.10 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade');
  });

  it('masquerades connections DNATed to an endpoint outside the cluster CIDR (the apiserver on the host)', () => {
    const rs = renderRuleSet(
      desiredState(desiredPort('kubernetes', '10.96.0.1', 443, ['10.250.0.1:6443'], { portName: 'https' })),
      { clusterCIDR: '10.244.0.0/16' },
    );
    const ref = { namespace: 'default', name: 'kubernetes', portName: 'https', protocol: 'TCP' as const };
    expect(rs.chains.get(endpointChainName(ref, '10.250.0.1:6443'))?.rules).toEqual([
      'ip saddr 10.250.0.1 jump mark-for-masquerade',
      'jump mark-for-masquerade comment "endpoint outside the cluster CIDR"',
      'meta l4proto tcp dnat to 10.250.0.1:6443',
    ]);
    const web = renderRuleSet(before, { clusterCIDR: '10.244.0.0/16' });
    expect(web.chains.get('endpoint-SVLGPL42-default/web/tcp/http__10.244.1.2/8080')?.rules).toHaveLength(2);
  });

  it('rejects a service port without endpoints through no-endpoint-services and gives it no chain', () => {
    const rs = renderRuleSet(before);
    expect([...(rs.sets.get('no-endpoint-services')?.elements.values() ?? [])]).toEqual([
      '10.96.0.12 . tcp . 80 comment "default/empty" : goto reject-chain',
    ]);
    expect([...rs.chains.keys()].some((c) => c.includes('default/empty/'))).toBe(false);
    expect([...(rs.sets.get('cluster-ips')?.elements.keys() ?? [])]).toEqual([
      '10.96.0.10',
      '10.96.0.11',
      '10.96.0.12',
    ]);
  });
});
