/**
 * A pod's network: its own netns with `eth0` (one end of a veth pair) addressed from the
 * node's pod CIDR, the other end in the node netns on the node's bridge, `lo` up and a
 * default route via the bridge address. A new pod takes one process, run by the caller's
 * `exec` (the node-agent's CommandRunner forks it from a small perl helper): a `sh`
 * running two `ip -batch` (netns add and the veth in the node netns, then the pod side in
 * the pod's), since each fork of a large Node process costs milliseconds of CPU (its page
 * tables are copied) where sh's forks cost next to nothing. When any step fails
 * (the pod's network exists in part: a retry or a node-agent restart) the careful path
 * runs, where every step checks or replaces, so calling it again completes instead of failing.
 */
import { NetnsCommandError } from './errors.js';
import { addNetns, deleteLink, deleteNetns, ipBatch, ipIn, linkExists } from './netns.js';
import { run, type RunResult } from './run.js';

/** What `createPodNetwork` builds. */
export interface PodNetworkOptions {
  /** Name of the pod netns, e.g. `kemu-local-pod-0123456789ab`. */
  podNetns: string;
  /** Netns holding the bridge; undefined = the current netns. */
  nodeNetns?: string | undefined;
  /** Name of the veth end left in the node netns (≤ 15 chars), e.g. `v01234567`. */
  hostVeth: string;
  /** Bridge in the node netns the host end is attached to, e.g. `cbr0`. */
  bridge: string;
  /** Pod IP, e.g. `10.244.1.5`. */
  ip: string;
  prefixLength: number;
  /** Default gateway (the bridge address), e.g. `10.244.1.1`. */
  gateway: string;
}

/** What `deletePodNetwork` removes. */
export interface PodNetworkRef {
  podNetns: string;
  hostVeth: string;
  nodeNetns?: string | undefined;
}

/**
 * kubelet's hairpin mode (hairpin-veth): the bridge may send a frame back out of the port
 * it came in on, so a pod reaching itself through a ClusterIP that the node's nftables
 * rules DNAT back to it gets its packets (br_netfilter bridges such a DNAT).
 */
const HAIRPIN = (hostVeth: string) => ['link', 'set', 'dev', hostVeth, 'type', 'bridge_slave', 'hairpin', 'on'];

/** The commands inside the pod netns: lo up, the address, eth0 up, the default route. */
function podSide(o: PodNetworkOptions): string[][] {
  return [
    ['link', 'set', 'dev', 'lo', 'up'],
    ['addr', 'replace', `${o.ip}/${o.prefixLength}`, 'dev', 'eth0'],
    ['link', 'set', 'dev', 'eth0', 'up'],
    ['route', 'replace', 'default', 'via', o.gateway, 'dev', 'eth0'],
  ];
}

/** The input of `ip -batch`: one command a line. */
function batchText(commands: readonly (readonly string[])[]): string {
  return commands.map((c) => c.join(' ')).join('\n');
}

/**
 * A new pod's network in one sh (argv: node netns or empty, its batch, pod netns, its
 * batch); it stops at the first failing command with ip's status and message. In the
 * current netns `netns add` joins the node side's batch (ip stays in its netns after
 * it); under `ip -n` it would not, so there it runs alone.
 */
const BOTH_SIDES = [
  'set -e',
  'if [ -n "$1" ]; then',
  '  ip netns add "$3"',
  '  printf \'%s\\n\' "$2" | ip -n "$1" -batch -',
  'else',
  '  printf \'netns add %s\\n%s\\n\' "$3" "$2" | ip -batch -',
  'fi',
  'printf \'%s\\n\' "$4" | ip -n "$3" -batch -',
].join('\n');

/** Runs a command as `run` does (a CommandRunner's `run` forks it from a small helper instead). */
export type Exec = (cmd: string, args: readonly string[]) => Promise<RunResult>;

/** Creates (or completes) a pod's netns, veth pair, address and default route; the one sh of a new pod runs through `exec`. */
export async function createPodNetwork(o: PodNetworkOptions, exec: Exec = run): Promise<void> {
  try {
    const nodeSide = [
      ['link', 'add', o.hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', o.podNetns],
      ['link', 'set', 'dev', o.hostVeth, 'master', o.bridge, 'up'],
      HAIRPIN(o.hostVeth),
    ];
    await exec('sh', [
      '-c',
      BOTH_SIDES,
      'sh',
      o.nodeNetns ?? '',
      batchText(nodeSide),
      o.podNetns,
      batchText(podSide(o)),
    ]);
    return;
  } catch (err) {
    if (!(err instanceof NetnsCommandError) || err.code === 'CommandNotFound') throw err;
    // Some of it exists already: check and complete step by step.
  }
  await completePodNetwork(o);
}

async function completePodNetwork(o: PodNetworkOptions): Promise<void> {
  await addNetns(o.podNetns);
  const hostEnd = await linkExists(o.nodeNetns, o.hostVeth);
  const podEnd = await linkExists(o.podNetns, 'eth0');
  if (!hostEnd || !podEnd) {
    // A half-made pair (one end only) cannot be repaired; start the pair again.
    if (hostEnd) await deleteLink(o.nodeNetns, o.hostVeth);
    if (podEnd) await deleteLink(o.podNetns, 'eth0');
    await ipIn(o.nodeNetns, ['link', 'add', o.hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', o.podNetns]);
  }
  await ipIn(o.nodeNetns, ['link', 'set', 'dev', o.hostVeth, 'master', o.bridge, 'up']);
  await ipIn(o.nodeNetns, HAIRPIN(o.hostVeth));
  await ipBatch(o.podNetns, podSide(o));
}

/** Removes a pod's veth and netns (killing what still runs inside); missing parts are fine. */
export async function deletePodNetwork(ref: PodNetworkRef): Promise<void> {
  await deleteLink(ref.nodeNetns, ref.hostVeth);
  await deleteNetns(ref.podNetns);
}
