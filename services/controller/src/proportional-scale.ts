/**
 * Scaling a Deployment, pure, as pkg/controller/deployment sync.go `scale` does it. A
 * scaling event is an active ReplicaSet whose `deployment.kubernetes.io/desired-replicas`
 * differs from the Deployment's replicas. Then: with one active ReplicaSet (or none: the
 * newest) it takes the whole count; with a saturated new ReplicaSet the old ones go to 0;
 * otherwise, mid rolling update, the change is spread over the active ReplicaSets in
 * proportion to their size: each gets round(size × maxReplicas / maxReplicasBefore) − size,
 * where maxReplicas is replicas + maxSurge now and maxReplicasBefore the
 * `deployment.kubernetes.io/max-replicas` it was sized for; the largest ReplicaSet takes
 * what rounding leaves over.
 */
import { type Deployment, type ReplicaSet, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION } from '@kemu/api';
import { resolveFenceposts, specReplicas } from './rolling-update.js';

function annotationNumber(rs: ReplicaSet, key: string): number | undefined {
  const raw = rs.metadata.annotations?.[key];
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

function isRollingUpdate(d: Deployment): boolean {
  return d.spec.strategy?.type !== 'Recreate';
}

/** deploymentutil.MaxSurge: 0 unless RollingUpdate. */
function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? resolveFenceposts(d).maxSurge : 0;
}

function active(rss: readonly ReplicaSet[]): ReplicaSet[] {
  return rss.filter((rs) => specReplicas(rs) > 0);
}

function created(rs: ReplicaSet): number {
  return Date.parse(rs.metadata.creationTimestamp ?? '') || 0;
}

/** dc.isScalingEvent: some active ReplicaSet was sized for a different replica count. */
export function isScalingEvent(d: Deployment, newRS: ReplicaSet | undefined, old: readonly ReplicaSet[]): boolean {
  if (!newRS) return false;
  return active([...old, newRS]).some((rs) => {
    const desired = annotationNumber(rs, DESIRED_REPLICAS_ANNOTATION);
    return desired !== undefined && desired !== specReplicas(d);
  });
}

/** deploymentutil.IsSaturated. */
function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = annotationNumber(rs, DESIRED_REPLICAS_ANNOTATION);
  const want = specReplicas(d);
  return specReplicas(rs) === want && desired === want && (rs.status?.availableReplicas ?? 0) === want;
}

/** deploymentutil.FindActiveOrLatest. */
function activeOrLatest(newRS: ReplicaSet | undefined, old: readonly ReplicaSet[]): ReplicaSet | undefined {
  const newestFirst = [...old].sort((a, b) => created(b) - created(a));
  const all = active([...newestFirst, ...(newRS ? [newRS] : [])]);
  if (all.length === 0) return newRS ?? newestFirst[0];
  return all.length === 1 ? all[0] : undefined;
}

/** getReplicaSetFraction: how much of the change `rs` takes, by its share of the old maximum. */
function fraction(rs: ReplicaSet, d: Deployment): number {
  if (specReplicas(d) === 0) return -specReplicas(rs);
  const maxReplicas = specReplicas(d) + maxSurge(d);
  let before = annotationNumber(rs, MAX_REPLICAS_ANNOTATION);
  if (before === undefined || before === 0) before = d.status?.replicas ?? 0;
  if (before === 0) return 0;
  const size = (specReplicas(rs) * maxReplicas) / before;
  // integer.RoundToInt32 rounds half away from zero.
  return Math.sign(size) * Math.round(Math.abs(size)) - specReplicas(rs);
}

/** GetReplicaSetProportion: the fraction, never beyond what is left to add or remove. */
function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const allowed = toAdd - added;
  const f = fraction(rs, d);
  return toAdd > 0 ? Math.min(f, allowed) : Math.max(f, allowed);
}

/**
 * The sizes `scale` gives the ReplicaSets touched by a scaling event (each of them also
 * gets fresh desired/max annotations); an empty map when it changes nothing.
 */
export function proportionalScale(
  d: Deployment,
  newRS: ReplicaSet | undefined,
  old: readonly ReplicaSet[],
): Map<ReplicaSet, number> {
  const out = new Map<ReplicaSet, number>();
  const one = activeOrLatest(newRS, old);
  if (one) {
    if (specReplicas(one) !== specReplicas(d)) out.set(one, specReplicas(d));
    return out;
  }
  if (isSaturated(d, newRS)) {
    for (const rs of active(old)) out.set(rs, 0);
    return out;
  }
  if (!isRollingUpdate(d)) return out;

  const all = active([...old, ...(newRS ? [newRS] : [])]);
  const current = all.reduce((n, rs) => n + specReplicas(rs), 0);
  const allowedSize = specReplicas(d) > 0 ? specReplicas(d) + maxSurge(d) : 0;
  const toAdd = allowedSize - current;
  // Larger first; on a tie, newer first when growing (ReplicaSetsBySizeNewer), older first when shrinking.
  const tie = (a: ReplicaSet, b: ReplicaSet) =>
    toAdd > 0
      ? created(b) - created(a) || (a.metadata.name < b.metadata.name ? 1 : -1)
      : created(a) - created(b) || (a.metadata.name < b.metadata.name ? -1 : 1);
  if (toAdd !== 0) all.sort((a, b) => specReplicas(b) - specReplicas(a) || tie(a, b));

  let added = 0;
  const sizes = all.map((rs) => {
    if (toAdd === 0) return specReplicas(rs);
    const p = proportion(rs, d, toAdd, added);
    added += p;
    return specReplicas(rs) + p;
  });
  if (toAdd !== 0 && sizes.length > 0) sizes[0] = Math.max(0, (sizes[0] ?? 0) + toAdd - added);
  all.forEach((rs, i) => out.set(rs, sizes[i] ?? specReplicas(rs)));
  return out;
}
