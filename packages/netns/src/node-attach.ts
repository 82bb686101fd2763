/**
 * Joining a node netns to an existing L2 network (`kemu node up`): find the bridge that
 * carries the route to an address (the NATS server), give the node a veth into it with
 * an address of that subnet, and create a node's pod bridge once its pod CIDR is known.
 * A kemu underlay lives in a netns of its own (`kemu-<C>-ul`, bridge br0), reached from
 * the host through the veth `km-<C>`; any other bridge (a docker network's `br-…`,
 * docker0) sits in the host netns.
 *
 * A node on a network with a gateway gets a default route through the host, so a packet to
 * a pod or service address nobody holds (a typo, a pod that is gone) would leave the
 * machine. Such a node also gets `unreachable` routes for the cluster's pod and service
 * CIDRs: the more specific routes for assigned addresses (its pod bridge, host-gw routes
 * to other nodes' pod CIDRs, ClusterIPs on lo in the local table) still win.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { NetnsCommandError } from './errors.js';
import { addNetns, deleteLink, deleteNetns, ipIn, linkExists, netnsExists } from './netns.js';
import { run } from './run.js';

/** The bridge a node joins and the subnet on it. */
export interface L2Network {
  /** Netns the bridge lives in; undefined for the host's own netns. */
  bridgeNetns: string | undefined;
  bridge: string;
  /** The host's own address on that network, with prefix (e.g. 10.250.3.1/24). */
  hostAddress: string;
  /** Default gateway for nodes on it, when the network has one the host routes for (a docker network). */
  gateway: string | undefined;
}

/** Route of the current netns to `address`: device and source address. */
export async function routeTo(address: string): Promise<{ dev: string; src: string | undefined }> {
  const { stdout } = await ipIn(undefined, ['-j', 'route', 'get', address]);
  const [r] = JSON.parse(stdout) as { dev: string; prefsrc?: string }[];
  if (!r) throw new NetnsCommandError(`ip route get ${address}`, 0, 'no route');
  return { dev: r.dev, src: r.prefsrc };
}

/** The interface of the current netns that holds `address` itself (NATS on the host's own address), if any. */
async function interfaceHolding(address: string): Promise<string | undefined> {
  const { stdout } = await ipIn(undefined, ['-j', '-4', 'addr', 'show', 'to', `${address}/32`]);
  const [link] = JSON.parse(stdout || '[]') as { ifname: string }[];
  return link && link.ifname !== 'lo' ? link.ifname : undefined;
}

async function addressOn(netns: string | undefined, dev: string): Promise<string | undefined> {
  const { stdout } = await ipIn(netns, ['-j', '-4', 'addr', 'show', 'dev', dev]);
  const [link] = JSON.parse(stdout) as { addr_info?: { local: string; prefixlen: number }[] }[];
  const a = link?.addr_info?.[0];
  return a ? `${a.local}/${a.prefixlen}` : undefined;
}

/**
 * The L2 network that reaches `address` from the host netns: a Linux bridge of the host
 * netns, or the underlay bridge of a local kemu cluster behind `km-<C>`. When the address
 * is the host's own (NATS of a `kemu up` on this machine), the interface holding it counts. Throws
 * NetnsCommandError when the route leads elsewhere (a physical NIC, loopback).
 */
export async function findL2Network(address: string): Promise<L2Network> {
  const dev = (await interfaceHolding(address)) ?? (await routeTo(address)).dev;
  const hostAddress = await addressOn(undefined, dev);
  if (!hostAddress) throw new NetnsCommandError(`ip addr show dev ${dev}`, 0, `${dev} has no IPv4 address`);
  if (existsSync(`/sys/class/net/${dev}/bridge`)) {
    return { bridgeNetns: undefined, bridge: dev, hostAddress, gateway: hostAddress.split('/')[0] };
  }
  const m = /^km-([a-z0-9]{1,8})$/.exec(dev);
  const underlay = m ? `kemu-${m[1]}-ul` : undefined;
  if (underlay && (await netnsExists(underlay)) && (await linkExists(underlay, 'br0'))) {
    // The underlay has no gateway: nodes reach only the underlay subnet, as local nodes do.
    return { bridgeNetns: underlay, bridge: 'br0', hostAddress, gateway: undefined };
  }
  throw new NetnsCommandError(
    `ip route get ${address}`,
    0,
    `${address} is reached through ${dev}, which is neither a Linux bridge nor a kemu underlay; use --here inside a machine or container that is the node`,
  );
}

/** Name of the node's veth end in the bridge's netns: `kn-` and 8 hex digits of cluster and node (fits 15). */
export function nodeVethName(cluster: string, node: string): string {
  return `kn-${createHash('sha256').update(`${cluster}/${node}`).digest('hex').slice(0, 8)}`;
}

/** What `attachNodeNetns` builds. */
export interface AttachNodeOptions {
  netns: string;
  network: L2Network;
  vethName: string;
  /** The node's address with prefix, e.g. 10.250.3.40/24. */
  address: string;
  /** The cluster's pod and service CIDRs: unreachable from the node unless a more specific route says otherwise. */
  clusterCidrs: readonly string[];
}

/** Adds (or keeps) an `unreachable` route in `netns` for each CIDR; longer prefixes still route. */
export async function addUnreachableRoutes(netns: string | undefined, cidrs: readonly string[]): Promise<void> {
  for (const cidr of cidrs) await ipIn(netns, ['route', 'replace', 'unreachable', cidr]);
}

/** Creates the node netns (lo up) with eth0 bridged into the network, its address, and with a gateway the default route and the cluster CIDRs' unreachable routes. */
export async function attachNodeNetns(o: AttachNodeOptions): Promise<void> {
  const { network } = o;
  await addNetns(o.netns);
  await ipIn(o.netns, ['link', 'set', 'dev', 'lo', 'up']);
  if (!(await linkExists(o.netns, 'eth0'))) {
    await deleteLink(network.bridgeNetns, o.vethName);
    await ipIn(network.bridgeNetns, [
      'link',
      'add',
      o.vethName,
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      o.netns,
    ]);
  }
  await ipIn(network.bridgeNetns, ['link', 'set', 'dev', o.vethName, 'master', network.bridge, 'up']);
  await ipIn(o.netns, ['addr', 'replace', o.address, 'dev', 'eth0']);
  await ipIn(o.netns, ['link', 'set', 'dev', 'eth0', 'up']);
  if (network.gateway) {
    await addUnreachableRoutes(o.netns, o.clusterCidrs);
    await ipIn(o.netns, ['route', 'replace', 'default', 'via', network.gateway, 'dev', 'eth0']);
  }
}

/** Deletes the node netns (killing what runs in it) and its veth end in the bridge's netns. */
export async function detachNodeNetns(o: {
  netns: string;
  bridgeNetns: string | undefined;
  vethName: string;
}): Promise<void> {
  await deleteNetns(o.netns);
  if (o.bridgeNetns === undefined || (await netnsExists(o.bridgeNetns))) await deleteLink(o.bridgeNetns, o.vethName);
}

/** Addresses in use on the network as the bridge's netns sees them: its own and its neighbours'. */
export async function addressesSeenOn(network: L2Network): Promise<Set<string>> {
  const seen = new Set<string>([network.hostAddress.split('/')[0] as string]);
  try {
    const { stdout } = await ipIn(network.bridgeNetns, ['-j', '-4', 'neigh', 'show']);
    for (const n of JSON.parse(stdout) as { dst: string }[]) seen.add(n.dst);
    const addrs = await ipIn(network.bridgeNetns, ['-j', '-4', 'addr', 'show']);
    for (const link of JSON.parse(addrs.stdout) as { addr_info?: { local: string }[] }[])
      for (const a of link.addr_info ?? []) seen.add(a.local);
  } catch {
    // Best effort: the caller also excludes every Node's InternalIP.
  }
  return seen;
}

/** A fixed, locally administered MAC for a pod bridge, derived from its pod CIDR (see bridgeMac). */
export function podBridgeMac(podCidr: string): string {
  const [, b = 0, c = 0] = (podCidr.split('/')[0] ?? '').split('.').map(Number);
  const hex = (n: number) => (n & 0xff).toString(16).padStart(2, '0');
  return `02:6b:70:${hex(b)}:${hex(c)}:01`;
}

/**
 * Makes sure the pod bridge exists with the gateway address (`10.244.0.1/24`), is up, and
 * that the netns forwards. An existing bridge keeps its MAC (pods' ARP caches hold it).
 */
export async function ensurePodBridge(o: {
  netns: string | undefined;
  bridge: string;
  gatewayAddress: string;
  mac: string;
}): Promise<void> {
  if (!(await linkExists(o.netns, o.bridge))) {
    await ipIn(o.netns, ['link', 'add', 'name', o.bridge, 'address', o.mac, 'type', 'bridge']);
  }
  await ipIn(o.netns, ['addr', 'replace', o.gatewayAddress, 'dev', o.bridge]);
  await ipIn(o.netns, ['link', 'set', 'dev', o.bridge, 'up']);
  const sysctl = ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'];
  await (o.netns ? run('ip', ['netns', 'exec', o.netns, ...sysctl]) : run(sysctl[0] as string, sysctl.slice(1)));
}
