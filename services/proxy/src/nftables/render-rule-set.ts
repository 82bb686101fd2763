/**
 * Renders the desired state into kube-proxy's nftables table (pkg/proxy/nftables): base
 * chains hooked before and after DNAT, a `services` chain dispatching through the
 * `service-ips` verdict map to one `service-…` chain per service port, which picks an
 * endpoint with `numgen random mod N vmap` (after the ClientIP affinity sets, when the
 * Service asks for affinity) and jumps to its `endpoint-…` chain: masquerade-mark when
 * the client is the endpoint itself (hairpin), record the client in the affinity set,
 * DNAT. A service port without endpoints is rejected at once through the
 * `no-endpoint-services` map; a packet to a ClusterIP on a port no Service has is
 * rejected through the `cluster-ips` set. Pure: names and rules depend only on input.
 */
import { type Ipv4Cidr, cidrContains, parseCidr } from '@kemu/api';
import type { DesiredServicePort } from '../desired-state.js';
import {
  type ServicePortRef,
  affinitySetName,
  endpointChainName,
  portNameOf,
  serviceChainName,
} from './chain-names.js';
import { type NftChain, type NftSet, type RuleSet, emptyRuleSet, quote } from './rule-set.js';

/** kube-proxy's default masquerade mark (--masquerade-bit=14). */
export const DEFAULT_MASQUERADE_MARK = '0x00004000';

/** How to render. */
export interface RenderOptions {
  /** Mark bit that asks the `masquerading` chain to SNAT a packet. */
  masqueradeMark?: string;
  /**
   * Pod CIDR of the cluster (kube-proxy's --cluster-cidr): a ClusterIP packet from outside
   * it is masqueraded, as kube-proxy does; so is one DNATed to an endpoint outside it (a
   * host-network endpoint such as the apiserver on the host, which has no route back to
   * pods in kemu: pod CIDRs of clusters on one machine overlap, so the host gets none).
   */
  clusterCIDR?: string;
}

const ADDRESS_MAP_SPEC = (comment: string) =>
  `type ipv4_addr . inet_proto . inet_service : verdict ; comment ${quote(comment)} ;`;

/**
 * The chains, sets and maps every sync writes, whatever the Services (kube-proxy's
 * setupNFTables). Priorities are numeric (dstnat = -100, srcnat = 100): nft 1.0 accepts
 * the symbolic names only on the hooks they were defined for.
 */
function renderSkeleton(out: RuleSet, mark: string): void {
  const base = (hook: string, rules: string[]): NftChain => ({ hook, rules });
  out.chains.set(
    'filter-input',
    base('type filter hook input priority -110', [
      'ct state new jump endpoints-check',
      'ct state new jump cluster-ips-check',
    ]),
  );
  out.chains.set(
    'filter-forward',
    base('type filter hook forward priority -110', [
      'ct state new jump endpoints-check',
      'ct state new jump cluster-ips-check',
    ]),
  );
  out.chains.set('filter-output', base('type filter hook output priority -110', ['ct state new jump endpoints-check']));
  out.chains.set(
    'filter-output-post-dnat',
    base('type filter hook output priority -90', ['ct state new jump cluster-ips-check']),
  );
  out.chains.set('nat-prerouting', base('type nat hook prerouting priority -100', ['jump services']));
  out.chains.set('nat-output', base('type nat hook output priority -100', ['jump services']));
  out.chains.set('nat-postrouting', base('type nat hook postrouting priority 100', ['jump masquerading']));

  out.chains.set('endpoints-check', { rules: ['ip daddr . meta l4proto . th dport vmap @no-endpoint-services'] });
  out.chains.set('cluster-ips-check', {
    rules: [`ip daddr @cluster-ips reject comment ${quote('Reject traffic to invalid ports of ClusterIPs')}`],
  });
  out.chains.set('services', { rules: ['ip daddr . meta l4proto . th dport vmap @service-ips'] });
  out.chains.set('reject-chain', {
    comment: 'helper for @no-endpoint-services / @no-endpoint-nodeports',
    rules: ['reject'],
  });
  out.chains.set('mark-for-masquerade', { rules: [`mark set mark or ${mark}`] });
  out.chains.set('masquerading', {
    rules: [`mark and ${mark} == 0 return`, `mark set mark xor ${mark}`, 'masquerade fully-random'],
  });

  const owned = (kind: NftSet['kind'], spec: string): NftSet => ({
    kind,
    spec,
    ownsElements: true,
    elements: new Map(),
  });
  out.sets.set('cluster-ips', owned('set', `type ipv4_addr ; comment ${quote('Active ClusterIPs')} ;`));
  out.sets.set('service-ips', owned('map', ADDRESS_MAP_SPEC('ClusterIP, ExternalIP and LoadBalancer IP traffic')));
  out.sets.set(
    'no-endpoint-services',
    owned('map', ADDRESS_MAP_SPEC('vmap to drop or reject packets to services with no endpoints')),
  );
}

/** The chain-name parts of a desired service port. */
export function refOf(d: DesiredServicePort): ServicePortRef {
  const { info } = d;
  return {
    namespace: info.namespace,
    name: info.name,
    portName: portNameOf(info.servicePort),
    protocol: info.protocol,
  };
}

function ipOf(endpoint: string): string {
  return endpoint.slice(0, endpoint.lastIndexOf(':'));
}

/** One service port's share of the table: its chains, affinity sets and map elements. */
export interface ServicePortFragment {
  chains: [string, NftChain][];
  sets: [string, NftSet][];
  /** [set or map, key, element text] */
  elements: [string, string, string][];
}

/** Renders one service port's chains, sets and map elements. */
export function renderServicePort(
  d: DesiredServicePort,
  options: RenderOptions,
  cluster?: Ipv4Cidr,
): ServicePortFragment {
  const { info } = d;
  const ref = refOf(d);
  const protocol = info.protocol.toLowerCase();
  const key = `${info.clusterIP} . ${protocol} . ${info.port}`;
  const out: ServicePortFragment = {
    chains: [],
    sets: [],
    elements: [['cluster-ips', info.clusterIP, info.clusterIP]],
  };
  if (d.endpoints.length === 0) {
    out.elements.push(['no-endpoint-services', key, `${key} comment ${quote(info.servicePort)} : goto reject-chain`]);
    return out;
  }
  const serviceChain = serviceChainName(ref);
  out.elements.push(['service-ips', key, `${key} : goto ${serviceChain}`]);

  const affinity = info.sessionAffinity === 'ClientIP';
  const rules: string[] = [];
  if (options.clusterCIDR) {
    rules.push(
      `ip daddr ${info.clusterIP} ${protocol} dport ${info.port} ip saddr != ${options.clusterCIDR} jump mark-for-masquerade`,
    );
  }
  const vmap: string[] = [];
  d.endpoints.forEach((endpoint, i) => {
    const chain = endpointChainName(ref, endpoint);
    const ip = ipOf(endpoint);
    const endpointRules = [`ip saddr ${ip} jump mark-for-masquerade`];
    if (cluster && !cidrContains(cluster, ip)) {
      endpointRules.push(`jump mark-for-masquerade comment ${quote('endpoint outside the cluster CIDR')}`);
    }
    if (affinity) {
      const set = affinitySetName(ref, endpoint);
      out.sets.push([
        set,
        {
          kind: 'set',
          spec: `type ipv4_addr ; flags dynamic,timeout ; timeout ${info.timeoutSeconds}s ;`,
          ownsElements: false,
          elements: new Map(),
        },
      ]);
      rules.push(`ip saddr @${set} goto ${chain}`);
      endpointRules.push(`update @${set} { ip saddr }`);
    }
    endpointRules.push(`meta l4proto ${protocol} dnat to ${endpoint}`);
    out.chains.push([chain, { rules: endpointRules }]);
    vmap.push(`${i} : goto ${chain}`);
  });
  rules.push(`numgen random mod ${d.endpoints.length} vmap { ${vmap.join(', ')} }`);
  out.chains.push([serviceChain, { rules }]);
  return out;
}

/** Adds a fragment to a rule set (whose skeleton holds the maps the elements go to). */
export function addFragment(out: RuleSet, f: ServicePortFragment): void {
  for (const [name, chain] of f.chains) out.chains.set(name, chain);
  for (const [name, set] of f.sets) out.sets.set(name, set);
  for (const [set, key, text] of f.elements) out.sets.get(set)?.elements.set(key, text);
}

/** The skeleton alone: every fixed chain, set and map, no service port. */
export function renderSkeletonRuleSet(options: RenderOptions = {}): RuleSet {
  const out = emptyRuleSet();
  renderSkeleton(out, options.masqueradeMark ?? DEFAULT_MASQUERADE_MARK);
  return out;
}

/** The whole table for a desired state. */
export function renderRuleSet(desired: ReadonlyMap<string, DesiredServicePort>, options: RenderOptions = {}): RuleSet {
  const out = renderSkeletonRuleSet(options);
  const cluster = options.clusterCIDR ? parseCidr(options.clusterCIDR) : undefined;
  for (const d of desired.values()) addFragment(out, renderServicePort(d, options, cluster));
  return out;
}
