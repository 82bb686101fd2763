/**
 * The kubelet's Node object as pure functions, shared by the node-agent and the hollow
 * node-agent: what a node reports about itself, its conditions at each heartbeat, and the
 * Node merged over what others own (spec.unschedulable, taints, extra labels).
 */
import {
  type Node,
  type NodeCondition,
  ARCH_LABEL,
  BETA_ARCH_LABEL,
  BETA_OS_LABEL,
  HOSTNAME_LABEL,
  OS_LABEL,
} from '@kemu/api';
import { randomUUID } from 'node:crypto';

/** What the node reports about itself. */
export interface NodeFacts {
  name: string;
  internalIP: string;
  /** The CIDR the node was started with; undefined when the controller's node IPAM assigns one. */
  podCIDR: string | undefined;
  kernelVersion: string;
  osImage: string;
  architecture: string;
  /** Allocatable cpu the node offers pods (KEMU_NODE_CPU), e.g. `2`. */
  cpu: string;
  /** Allocatable memory the node offers pods (KEMU_NODE_MEMORY), e.g. `4Gi`. */
  memory: string;
  /** How many pods the node takes (KEMU_NODE_PODS), e.g. `110`. */
  pods: string;
  machineID: string;
  bootID: string;
  systemUUID: string;
}

/** Kubelet version the node claims. */
export const KUBELET_VERSION = 'v1.32.4';

const CONDITIONS: Omit<NodeCondition, 'lastHeartbeatTime' | 'lastTransitionTime'>[] = [
  {
    type: 'MemoryPressure',
    status: 'False',
    reason: 'KubeletHasSufficientMemory',
    message: 'kubelet has sufficient memory available',
  },
  {
    type: 'DiskPressure',
    status: 'False',
    reason: 'KubeletHasNoDiskPressure',
    message: 'kubelet has no disk pressure',
  },
  {
    type: 'PIDPressure',
    status: 'False',
    reason: 'KubeletHasSufficientPID',
    message: 'kubelet has sufficient PID available',
  },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
];

/** The node's conditions at `now`, keeping transition times of conditions whose status did not change. */
export function nodeConditions(previous: readonly NodeCondition[] | undefined, now: string): NodeCondition[] {
  const own = CONDITIONS.map((c) => {
    const before = previous?.find((p) => p.type === c.type);
    const lastTransitionTime =
      before?.status === c.status && before.lastTransitionTime ? before.lastTransitionTime : now;
    return { ...c, lastHeartbeatTime: now, lastTransitionTime };
  });
  const others = (previous ?? []).filter((p) => !CONDITIONS.some((c) => c.type === p.type));
  return [...own, ...others];
}

/** The Node as this agent wants it, merged over `existing` (undefined when registering anew). */
export function desiredNode(existing: Node | undefined, facts: NodeFacts, now: string): Node {
  const resources = { cpu: facts.cpu, memory: facts.memory, pods: facts.pods, 'ephemeral-storage': '20Gi' };
  const meta = existing?.metadata ?? { name: facts.name, uid: randomUUID(), creationTimestamp: now };
  return {
    ...existing,
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      ...meta,
      labels: {
        ...meta.labels,
        [HOSTNAME_LABEL]: facts.name,
        [OS_LABEL]: 'linux',
        [ARCH_LABEL]: facts.architecture,
        [BETA_OS_LABEL]: 'linux',
        [BETA_ARCH_LABEL]: facts.architecture,
      },
    },
    spec: facts.podCIDR
      ? { ...existing?.spec, podCIDR: facts.podCIDR, podCIDRs: [facts.podCIDR] }
      : { ...existing?.spec },
    status: {
      ...existing?.status,
      conditions: nodeConditions(existing?.status?.conditions, now),
      addresses: [
        { type: 'InternalIP', address: facts.internalIP },
        { type: 'Hostname', address: facts.name },
      ],
      capacity: resources,
      allocatable: resources,
      nodeInfo: {
        machineID: facts.machineID,
        systemUUID: facts.systemUUID,
        bootID: facts.bootID,
        kernelVersion: facts.kernelVersion,
        osImage: facts.osImage,
        containerRuntimeVersion: 'kemu://0.1.0',
        kubeletVersion: KUBELET_VERSION,
        kubeProxyVersion: KUBELET_VERSION,
        operatingSystem: 'linux',
        architecture: facts.architecture,
      },
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    } as Node['status'],
  };
}
