/**
 * A Deployment's status, pure, from its ReplicaSets (deployment's calculateStatus and
 * syncRolloutStatus): counts summed over the ReplicaSets, Available by the minimum
 * availability, Progressing with the reasons kubectl and users read.
 */
import type { Deployment, ReplicaSet } from '@kemu/api';
import { rfc3339 } from './conditions.js';
import { resolveFenceposts, specReplicas } from './rolling-update.js';

type DeploymentStatus = NonNullable<Deployment['status']>;
type DeploymentCondition = NonNullable<DeploymentStatus['conditions']>[number];

function sum(rss: readonly ReplicaSet[], f: (rs: ReplicaSet) => number | undefined): number {
  return rss.reduce((n, rs) => n + (f(rs) ?? 0), 0);
}

/** The status of `d` with ReplicaSets `all`, the current one `newRS`. */
export function deploymentStatus(
  d: Deployment,
  all: readonly ReplicaSet[],
  newRS: ReplicaSet | undefined,
  now: Date,
): DeploymentStatus {
  const replicas = specReplicas(d);
  const status: DeploymentStatus = {
    ...d.status,
    observedGeneration: d.metadata.generation ?? 1,
    replicas: sum(all, (rs) => rs.status?.replicas),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sum(all, (rs) => rs.status?.readyReplicas),
    availableReplicas: sum(all, (rs) => rs.status?.availableReplicas),
  };
  status.unavailableReplicas = Math.max(0, sum(all, specReplicas) - (status.availableReplicas ?? 0));
  const { maxUnavailable } = resolveFenceposts(d);
  const minAvailable = d.spec.strategy?.type === 'Recreate' ? replicas : replicas - maxUnavailable;
  const available: DeploymentCondition =
    (status.availableReplicas ?? 0) >= minAvailable
      ? {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        }
      : {
          type: 'Available',
          status: 'False',
          reason: 'MinimumReplicasUnavailable',
          message: 'Deployment does not have minimum availability.',
        };
  const complete =
    status.updatedReplicas === replicas && status.replicas === replicas && status.availableReplicas === replicas;
  let conditions = withCondition(status.conditions ?? [], available, now);
  if (!d.spec.paused) {
    const progressing = progressingCondition(d, status, newRS, complete, now);
    if (progressing)
      conditions = withCondition(conditions, progressing, now, progressing.reason === 'ReplicaSetUpdated');
  }
  status.conditions = conditions;
  return status;
}

/** The Progressing condition, if it changes: complete, progressing (moved since the last status) or past its deadline. */
function progressingCondition(
  d: Deployment,
  next: DeploymentStatus,
  newRS: ReplicaSet | undefined,
  complete: boolean,
  now: Date,
): DeploymentCondition | undefined {
  const rsName = newRS?.metadata.name ?? '';
  if (complete)
    return {
      type: 'Progressing',
      status: 'True',
      reason: 'NewReplicaSetAvailable',
      message: `ReplicaSet "${rsName}" has successfully progressed.`,
    };
  const updating: DeploymentCondition = {
    type: 'Progressing',
    status: 'True',
    reason: 'ReplicaSetUpdated',
    message: `ReplicaSet "${rsName}" is progressing.`,
  };
  const current = d.status?.conditions?.find((c) => c.type === 'Progressing');
  const sameReplicaSet = current?.message?.includes(`"${rsName}"`) ?? false;
  if (!current || current.reason === 'NewReplicaSetAvailable' || !sameReplicaSet) return updating;
  if (hasProgressed(d.status, next)) return updating;
  if (current.reason === 'ProgressDeadlineExceeded') return undefined;
  const left = progressDeadlineLeftMs(d, now);
  if (left !== undefined && left <= 0)
    return {
      type: 'Progressing',
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: `ReplicaSet "${rsName}" has timed out progressing.`,
    };
  return undefined;
}

// deploymentutil.DeploymentProgressing: more updated, ready or available pods, or fewer old ones.
function hasProgressed(prev: DeploymentStatus | undefined, next: DeploymentStatus): boolean {
  if (!prev) return true;
  return (
    (next.updatedReplicas ?? 0) > (prev.updatedReplicas ?? 0) ||
    (next.replicas ?? 0) < (prev.replicas ?? 0) ||
    (next.readyReplicas ?? 0) > (prev.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (prev.availableReplicas ?? 0)
  );
}

/**
 * How long until an unfinished rollout of `d` passes progressDeadlineSeconds since its
 * last progress, or undefined when no deadline runs (finished, paused, timed out already).
 */
export function progressDeadlineLeftMs(d: Deployment, now: Date): number | undefined {
  const c = d.status?.conditions?.find((x) => x.type === 'Progressing');
  if (d.spec.paused || !c || c.status !== 'True' || c.reason !== 'ReplicaSetUpdated') return undefined;
  const since = Date.parse(c.lastUpdateTime ?? '');
  if (Number.isNaN(since)) return undefined;
  return since + (d.spec.progressDeadlineSeconds ?? 600) * 1000 - now.getTime();
}

// Replaces the condition of c's type; times move only when status (transition) or reason/message (update) change, or on `touch`.
function withCondition(
  list: DeploymentCondition[],
  c: DeploymentCondition,
  now: Date,
  touch = false,
): DeploymentCondition[] {
  const old = list.find((o) => o.type === c.type);
  const ts = rfc3339(now);
  if (old && old.status === c.status && old.reason === c.reason && old.message === c.message && !touch) return list;
  const next: DeploymentCondition = {
    ...c,
    lastUpdateTime: ts,
    lastTransitionTime: old && old.status === c.status ? (old.lastTransitionTime ?? ts) : ts,
  };
  return old ? list.map((o) => (o.type === c.type ? next : o)) : [...list, next];
}
