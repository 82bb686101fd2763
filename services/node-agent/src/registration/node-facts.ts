/** Facts the node reports about the machine it emulates a node on (kernel, OS image, ids) and its configured resources. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { arch, release } from 'node:os';
import type { NodeFacts } from './node-registration.js';

async function readTrimmed(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/** Kubernetes' architecture name for Node's process.arch. */
export function kubeArch(nodeArch: string): string {
  const names: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };
  return names[nodeArch] ?? nodeArch;
}

/** PRETTY_NAME from an os-release file's text. */
export function prettyName(osRelease: string | undefined): string {
  const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease ?? '');
  return m?.[1] ?? 'Linux';
}

/** The resources a node offers pods unless configured otherwise (kind's nodes report the host's; ours are smaller). */
export const DEFAULT_NODE_RESOURCES = { cpu: '2', memory: '4Gi', pods: '110' };

/** Gathers the facts of node `name` (ids derived from cluster and node so they stay stable). */
export async function readNodeFacts(o: {
  cluster: string;
  name: string;
  internalIP: string;
  podCIDR: string | undefined;
  resources?: { cpu?: string; memory?: string; pods?: string };
}): Promise<NodeFacts> {
  const id = createHash('sha256').update(`${o.cluster}/${o.name}`).digest('hex');
  const uuid = `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`;
  return {
    name: o.name,
    internalIP: o.internalIP,
    podCIDR: o.podCIDR,
    kernelVersion: release(),
    osImage: prettyName(await readTrimmed('/etc/os-release')),
    architecture: kubeArch(arch()),
    cpu: o.resources?.cpu ?? DEFAULT_NODE_RESOURCES.cpu,
    memory: o.resources?.memory ?? DEFAULT_NODE_RESOURCES.memory,
    pods: o.resources?.pods ?? DEFAULT_NODE_RESOURCES.pods,
    machineID: id.slice(0, 32),
    bootID: (await readTrimmed('/proc/sys/kernel/random/boot_id')) ?? uuid,
    systemUUID: uuid,
  };
}
