/**
 * The steps of joining a node to a cluster from this machine and of removing it again:
 * pick a free address on the network that reaches NATS, attach the node netns to it,
 * wait until the Node is Ready with a pod CIDR, and on the way out delete the Node
 * (and, as Kubernetes' pod GC does for pods of a deleted node, its pods) from the log.
 */
import { cidrAddress, cidrSize, type Node, tryParseCidr } from '@kemu/api';
import {
  connectEventLog,
  createObjectWriter,
  createPodStatusWriter,
  type EventLog,
  getObject,
  type Informer,
  listObjects,
  startInformer,
} from '@kemu/eventlog';
import type { Logger } from '@kemu/log';
import { addressesSeenOn, type L2Network } from '@kemu/netns';
import { CliError, WaitTimeoutError } from '../errors.js';

/** A JetStream request that failed while the server answers (a NATS cluster electing its leaders). */
function isJetStreamUnavailable(err: unknown): boolean {
  const name = (err as Error | undefined)?.name ?? '';
  return [
    'TimeoutError',
    'NoResponders',
    'RequestError',
    'JetStreamNotEnabled',
    'JetStreamApiError',
    'JetStreamError',
    'JetStreamStatusError',
  ].includes(name);
}

/**
 * An event-log connection for the CLI: fails fast (NatsUnreachable) when NATS does not
 * answer; JetStreamUnavailable when it answers but JetStream requests fail or time out.
 */
export async function openClusterLog(
  natsUrl: string,
  name: string,
  log: Logger,
  replicas?: number,
  nkeyFile?: string,
  tlsCaFile?: string,
): Promise<{ eventLog: EventLog; informer: Informer; close(): Promise<void> }> {
  let eventLog: EventLog;
  try {
    eventLog = await connectEventLog({
      servers: natsUrl.split(','),
      name,
      log,
      failFast: true,
      replicas,
      ...(nkeyFile ? { nkeyFile } : {}),
      ...(tlsCaFile ? { tlsCaFile } : {}),
    });
  } catch (err) {
    if (isJetStreamUnavailable(err))
      throw new CliError(
        'JetStreamUnavailable',
        `NATS at ${natsUrl} answers, the event stream does not yet: ${String(err)}`,
        {
          cause: err,
        },
      );
    // A NATS that asks for TLS or a credential refuses a node that came without one.
    const hint = nkeyFile
      ? ''
      : ' (no join credential given: `kemu node token --name NODE` on the cluster makes one; pass it with --creds FILE)';
    throw new CliError('NatsUnreachable', `cannot reach NATS at ${natsUrl}: ${(err as Error).message}${hint}`, {
      cause: err,
    });
  }
  let informer: Informer;
  try {
    informer = await startInformer(eventLog, { resources: ['nodes', 'pods'], log });
    await informer.synced;
  } catch (err) {
    // NATS answers, but JetStream requests time out (a NATS server was just killed and the
    // cluster elects): the caller may retry with a new connection.
    await eventLog.close().catch(() => undefined);
    if (!isJetStreamUnavailable(err)) throw err;
    throw new CliError(
      'JetStreamUnavailable',
      `JetStream at ${natsUrl} does not answer the informer yet: ${String(err)}`,
      {
        cause: err,
      },
    );
  }
  return {
    eventLog,
    informer,
    async close() {
      await informer.stop().catch(() => undefined);
      await eventLog.close().catch(() => undefined);
    },
  };
}

/** The highest host address of `subnet` (a.b.c.d/len) not in `used`, as `ip/len`; undefined when none is free. */
export function pickFreeAddress(subnet: string, used: ReadonlySet<string>): string | undefined {
  const cidr = tryParseCidr(subnet);
  if (!cidr) return undefined;
  for (let offset = cidrSize(cidr) - 2; offset > 0; offset--) {
    const candidate = cidrAddress(cidr, offset);
    if (!used.has(candidate)) return `${candidate}/${cidr.prefixLength}`;
  }
  return undefined;
}

/** A free address on the network: not the host's, no neighbour's, no Node's InternalIP. */
export async function chooseNodeAddress(network: L2Network, nodes: readonly Node[]): Promise<string> {
  const used = await addressesSeenOn(network);
  for (const n of nodes) for (const a of n.status?.addresses ?? []) if (a.type === 'InternalIP') used.add(a.address);
  const address = pickFreeAddress(network.hostAddress, used);
  if (!address) throw new CliError('NoFreeAddress', `no free address on ${network.hostAddress}; pass --address IP/LEN`);
  return address;
}

/** True when the Node reports Ready=True and has a pod CIDR. */
export function isNodeReadyWithCidr(node: Node | undefined): boolean {
  return (
    !!node?.spec?.podCIDR && node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true
  );
}

/** Waits until the Node is Ready with a pod CIDR; `check` runs each round and may throw to give up early. */
export async function waitForNodeReady(
  informer: Informer,
  node: string,
  o: { timeoutMs: number; check?: () => Promise<void> },
): Promise<Node> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const n = getObject(informer.view, { resource: 'nodes', namespace: '', name: node });
    if (n && isNodeReadyWithCidr(n)) return n;
    if (Date.now() > deadline) throw new WaitTimeoutError(`node ${node} not Ready after ${o.timeoutMs / 1000} s`);
    await o.check?.();
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Deletes the Node and the pods bound to it from the log; returns the pods' uids (for their
 * netns). With the node's own credential, as the node's final removal of each pod on its
 * node subject (a node may not write pod objects), then its own Node.
 */
export async function deleteNodeObjects(
  eventLog: EventLog,
  informer: Informer,
  node: string,
): Promise<{ podUids: string[]; nodeDeleted: boolean }> {
  const actor = { component: 'kemu-cli', node };
  const writer = createObjectWriter(eventLog, informer, actor);
  const statusWriter = createPodStatusWriter(eventLog, informer, actor);
  const pods = listObjects(informer.view, 'pods').filter((p) => p.spec.nodeName === node);
  for (const pod of pods) {
    const key = { resource: 'pods', namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name } as const;
    await statusWriter.removePod(key, (p) => p.status ?? {}).catch(() => undefined);
  }
  const key = { resource: 'nodes', namespace: '', name: node };
  const existing = getObject(informer.view, key);
  if (existing) await writer.remove(key, existing);
  return { podUids: pods.map((p) => p.metadata.uid ?? '').filter(Boolean), nodeDeleted: !!existing };
}
