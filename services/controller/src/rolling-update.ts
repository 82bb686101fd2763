/**
 * The arithmetic of a rolling update, pure, as pkg/controller/deployment does it:
 * maxSurge and maxUnavailable resolved against the desired replicas (surge rounded up,
 * unavailable down, never both 0), how far the new ReplicaSet may grow, and how many
 * old pods may go without dropping below the minimum available.
 */
import type { Deployment, ReplicaSet } from '@kemu/api';

/** A Deployment's maxSurge and maxUnavailable as pod counts. */
export interface Fenceposts {
  maxSurge: number;
  maxUnavailable: number;
}

/** spec.replicas of a ReplicaSet or Deployment (default 1). */
export function specReplicas(o: { spec: { replicas?: number } }): number {
  return o.spec.replicas ?? 1;
}

/** intstr.GetScaledValueFromIntOrPercent. */
export function resolveIntOrPercent(value: number | string | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) return Number.parseInt(value, 10) || 0;
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** deploymentutil.ResolveFenceposts: defaults 25 %/25 %; maxUnavailable 1 when both resolve to 0. */
export function resolveFenceposts(d: Deployment): Fenceposts {
  const ru = d.spec.strategy?.rollingUpdate;
  const replicas = specReplicas(d);
  const maxSurge = resolveIntOrPercent(ru?.maxSurge ?? '25%', replicas, true);
  let maxUnavailable = resolveIntOrPercent(ru?.maxUnavailable ?? '25%', replicas, false);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

function sum(rss: readonly ReplicaSet[], f: (rs: ReplicaSet) => number): number {
  return rss.reduce((n, rs) => n + f(rs), 0);
}

/** deploymentutil.NewRSNewReplicas for RollingUpdate: the new ReplicaSet's size within maxSurge. */
export function newReplicaSetReplicas(
  d: Deployment,
  all: readonly ReplicaSet[],
  newRS: ReplicaSet | undefined,
): number {
  const current = newRS ? specReplicas(newRS) : 0;
  const { maxSurge } = resolveFenceposts(d);
  const replicas = specReplicas(d);
  const podCount = sum(all, specReplicas);
  const maxTotal = replicas + maxSurge;
  if (podCount >= maxTotal) return current;
  const scaleUp = Math.max(0, Math.min(maxTotal - podCount, replicas - current));
  return current + scaleUp;
}

/**
 * The new sizes of the old ReplicaSets (reconcileOldReplicaSets): first unhealthy old
 * pods are dropped, then available ones while availability stays at replicas − maxUnavailable.
 */
export function scaleDownOldReplicaSets(
  d: Deployment,
  old: readonly ReplicaSet[],
  newRS: ReplicaSet,
): Map<ReplicaSet, number> {
  const out = new Map<ReplicaSet, number>();
  const active = old.filter((rs) => specReplicas(rs) > 0);
  if (active.length === 0) return out;
  const { maxUnavailable } = resolveFenceposts(d);
  const minAvailable = specReplicas(d) - maxUnavailable;
  const allPods = sum([...old, newRS], specReplicas);
  const newUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  let budget = allPods - minAvailable - newUnavailable;
  if (budget <= 0) return out;
  const oldestFirst = [...active].sort(byCreation);
  // cleanupUnhealthyReplicas
  for (const rs of oldestFirst) {
    if (budget <= 0) break;
    const size = specReplicas(rs);
    const unhealthy = size - (rs.status?.availableReplicas ?? 0);
    if (unhealthy <= 0) continue;
    const down = Math.min(budget, unhealthy);
    out.set(rs, size - down);
    budget -= down;
  }
  // scaleDownOldReplicaSetsForRollingUpdate
  const available = sum([...old, newRS], (rs) => rs.status?.availableReplicas ?? 0);
  let total = available - minAvailable;
  for (const rs of oldestFirst) {
    if (total <= 0) break;
    const size = out.get(rs) ?? specReplicas(rs);
    if (size === 0) continue;
    const down = Math.min(size, total);
    out.set(rs, size - down);
    total -= down;
  }
  return out;
}

function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  return ta !== tb ? ta - tb : a.metadata.name < b.metadata.name ? -1 : 1;
}
