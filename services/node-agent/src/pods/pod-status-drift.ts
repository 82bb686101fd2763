/**
 * The kubelet's status manager keeps the API's copy of a pod's status equal to its own:
 * when another writer (the node lifecycle controller's MarkPodsNotReady while this node
 * was silent) changed what the node-agent owns, the node-agent writes its status again.
 * Pure: compares what the node-agent would publish with what the log holds, on what the
 * node-agent owns only — phase, its own conditions (type, status, reason), pod IP and
 * each container's ready flag, state kind and restart count. Timestamps and conditions
 * other writers own (DisruptionTarget) do not count.
 */
import type { ContainerStatus, PodCondition, PodStatus } from '@kemu/api';

/** Conditions the node-agent publishes (see @kemu/lifecycle podStatus). */
const OWN_CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];

function conditionOf(status: PodStatus | undefined, type: string): string {
  const c: PodCondition | undefined = status?.conditions?.find((x) => x.type === type);
  return c ? `${c.status}/${c.reason ?? ''}` : '-';
}

function stateKind(c: ContainerStatus | undefined): string {
  if (!c) return '-';
  const s = c.state ?? {};
  const kind = s.running
    ? 'running'
    : s.terminated
      ? `terminated:${s.terminated.reason ?? ''}`
      : s.waiting
        ? `waiting:${s.waiting.reason ?? ''}`
        : '-';
  return `${kind}/ready=${c.ready}/restarts=${c.restartCount}`;
}

/**
 * The fields on which `stored` differs from `desired`, named as `phase`, `condition:<type>`,
 * `podIP` or `container:<name>`; empty when the stored status says what the node-agent says.
 */
export function podStatusDrift(desired: PodStatus, stored: PodStatus | undefined): string[] {
  const drift: string[] = [];
  if (desired.phase !== stored?.phase) drift.push('phase');
  for (const type of OWN_CONDITIONS) {
    if (conditionOf(desired, type) !== conditionOf(stored, type)) drift.push(`condition:${type}`);
  }
  if ((desired.podIP ?? '') !== (stored?.podIP ?? '')) drift.push('podIP');
  for (const c of desired.containerStatuses ?? []) {
    const other = stored?.containerStatuses?.find((x) => x.name === c.name);
    if (stateKind(c) !== stateKind(other)) drift.push(`container:${c.name}`);
  }
  return drift;
}
