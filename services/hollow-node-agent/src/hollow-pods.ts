/**
 * The pods bound to the hollow nodes: one hollow pod per uid, started when the pod
 * appears and fed every later version, with an IP from its node's pod CIDR (host-local
 * IPAM as on a real node: the next free address after the last one handed out). A pod
 * that already has an IP (this process restarted) keeps it and runs its stages again.
 */
import { CONFIG_MIRROR_ANNOTATION, type Ipv4Cidr, type Pod } from '@kemu/api';
import { type Informer, POD_NODE_NAME_INDEX, podNodeName } from '@kemu/eventlog';
import { allocatePodIP, parsePodCidr } from '@kemu/kubelet';
import type { Logger } from '@kemu/log';
import { type HollowPod, type HollowPodDeps, startHollowPod } from './hollow-pod.js';

/** What the hollow pods follow. */
export interface HollowPodsOptions {
  nodes: readonly { name: string; podCIDR: string }[];
  informer: Informer;
  /** The shared dependencies of node `name`'s pods. */
  deps(node: string): HollowPodDeps;
  log: Logger;
}

/** The hollow nodes' pods. */
export interface HollowPods {
  start(): void;
  stop(): void;
  /** Node `name` is back up: its pods publish their status again. */
  resync(node: string): void;
  /** Live hollow pods. */
  count(): number;
  /** Live hollow pods at rest (without a machine, hollow-rest.ts). */
  resting(): number;
}

interface NodeState {
  cidr: Ipv4Cidr;
  last: string | undefined;
  pods: Map<string, HollowPod>;
  /** The dependencies its pods share (one object per node, not per pod). */
  deps: HollowPodDeps | undefined;
}

const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** Creates the hollow pods' manager. */
export function createHollowPods(o: HollowPodsOptions): HollowPods {
  const { informer, log } = o;
  const nodes = new Map<string, NodeState>(
    o.nodes.map((n) => [n.name, { cidr: parsePodCidr(n.podCIDR), last: undefined, pods: new Map(), deps: undefined }]),
  );
  informer.addIndex('pods', POD_NODE_NAME_INDEX, podNodeName);
  const pods = informer.lister('pods');
  let unsubscribe: (() => void) | undefined;

  function ipsInUse(node: string, state: NodeState): Set<string> {
    const used = new Set<string>();
    for (const p of pods.byIndex(POD_NODE_NAME_INDEX, node))
      if (p.status?.podIP && !isTerminal(p)) used.add(p.status.podIP);
    for (const w of state.pods.values()) used.add(w.podIP);
    return used;
  }

  function onPod(pod: Pod): void {
    const node = pod.spec?.nodeName ?? '';
    const state = nodes.get(node);
    if (!state || pod.metadata.annotations?.[CONFIG_MIRROR_ANNOTATION]) return;
    const uid = pod.metadata.uid ?? '';
    const existing = state.pods.get(uid);
    if (existing) {
      existing.update(pod);
      return;
    }
    if (isTerminal(pod)) return;
    const podIP = pod.status?.podIP ?? allocatePodIP(state.cidr, ipsInUse(node, state), state.last);
    if (!podIP) {
      log.error({ node, pod: `${pod.metadata.namespace}/${pod.metadata.name}` }, 'pod CIDR exhausted');
      return;
    }
    state.last = podIP;
    state.deps ??= o.deps(node);
    const worker = startHollowPod(pod, podIP, state.deps);
    state.pods.set(uid, worker);
    void worker.done.then(() => {
      if (state.pods.get(uid) === worker) state.pods.delete(uid);
    });
  }

  function onDelete(pod: Pod): void {
    const state = nodes.get(pod.spec?.nodeName ?? '');
    const uid = pod.metadata.uid ?? '';
    const w = state?.pods.get(uid);
    if (!w) return;
    w.forceDeleted();
    state?.pods.delete(uid);
  }

  return {
    start() {
      unsubscribe = informer.on('pods', { onAdd: onPod, onUpdate: (_, p) => onPod(p), onDelete });
      // Pods that already have an IP go first, so new pods cannot be handed one of theirs.
      const bound = [...nodes.keys()].flatMap((n) => pods.byIndex(POD_NODE_NAME_INDEX, n));
      bound.sort((a, b) => Number(!a.status?.podIP) - Number(!b.status?.podIP));
      for (const p of bound) onPod(p);
      log.info({ pods: bound.length }, 'hollow pods started');
    },
    stop() {
      unsubscribe?.();
      for (const s of nodes.values()) for (const w of s.pods.values()) w.stop();
    },
    resync(node) {
      for (const w of nodes.get(node)?.pods.values() ?? []) w.resync();
    },
    count: () => [...nodes.values()].reduce((n, s) => n + s.pods.size, 0),
    resting() {
      let n = 0;
      for (const s of nodes.values()) for (const w of s.pods.values()) if (w.resting()) n++;
      return n;
    },
  };
}
