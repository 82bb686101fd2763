/**
 * The Deployment planner, pure: from a Deployment and the ReplicaSets it controls, the
 * next step of its rollout (pkg/controller/deployment sync/rolling/recreate). The
 * current template's ReplicaSet is `<name>-<pod-template-hash>`; it is created, then
 * grown within maxSurge while old ones shrink within maxUnavailable, or (Recreate) the
 * old ones go to 0 first. A change of spec.replicas mid rollout is a scaling event first
 * (proportional-scale.ts), as in sync.go. One step per sync: a plan with writes is applied and the
 * Deployment synced again once the ReplicaSets report; a plan without writes carries
 * the Deployment's status and revision.
 */
import {
  type Deployment,
  type ReplicaSet,
  defaultObject,
  POD_TEMPLATE_HASH_LABEL,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  REVISION_ANNOTATION,
} from '@kemu/api';
import { rfc3339 } from './conditions.js';
import { newControllerRef } from './controller-ref.js';
import { deploymentStatus } from './deployment-status.js';
import { podTemplateHash, withoutHashLabel } from './pod-template-hash.js';
import { isScalingEvent, proportionalScale } from './proportional-scale.js';
import { newReplicaSetReplicas, resolveFenceposts, scaleDownOldReplicaSets, specReplicas } from './rolling-update.js';
import { semanticEqual } from './semantic-equal.js';

/** What one Deployment sync should write. */
export interface DeploymentPlan {
  /** A new ReplicaSet to create (uid and creationTimestamp still to set). */
  create?: ReplicaSet;
  /** ReplicaSets to store with a new size or annotations. */
  update: ReplicaSet[];
  /** Old, empty ReplicaSets beyond revisionHistoryLimit. */
  remove: ReplicaSet[];
  /** The Deployment with its revision annotation and status, or undefined if unchanged. */
  deployment?: Deployment;
}

/** The revision a ReplicaSet carries (0 when none). */
export function revisionOf(rs: { metadata: { annotations?: Record<string, string> } }): number {
  return Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? 0) || 0;
}

/** The ReplicaSet whose template is the Deployment's (ignoring the hash label). */
export function findNewReplicaSet(d: Deployment, rss: readonly ReplicaSet[]): ReplicaSet | undefined {
  const want = withoutHashLabel(d.spec.template);
  return rss.find((rs) => semanticEqual(withoutHashLabel(rs.spec.template), want));
}

/** Plans the next step for `d` with the ReplicaSets it controls. */
export function reconcileDeployment(d: Deployment, rss: readonly ReplicaSet[], now: Date): DeploymentPlan {
  const plan: DeploymentPlan = { update: [], remove: [] };
  const newRS = findNewReplicaSet(d, rss);
  const old = rss.filter((rs) => rs !== newRS);
  const maxOld = Math.max(0, ...old.map(revisionOf));
  if (d.metadata.deletionTimestamp) return plan;

  // A scaling event (even while paused): resize before rolling on.
  if (isScalingEvent(d, newRS, old)) {
    const sizes = proportionalScale(d, newRS, old);
    const touched = new Set([...rss.filter((rs) => specReplicas(rs) > 0), ...sizes.keys()]);
    for (const rs of touched) {
      const next = resized(d, rs, sizes.get(rs) ?? specReplicas(rs), undefined);
      const a = rs.metadata.annotations ?? {};
      const b = next.metadata.annotations ?? {};
      const stale =
        a[DESIRED_REPLICAS_ANNOTATION] !== b[DESIRED_REPLICAS_ANNOTATION] ||
        a[MAX_REPLICAS_ANNOTATION] !== b[MAX_REPLICAS_ANNOTATION];
      if (specReplicas(next) !== specReplicas(rs) || stale) plan.update.push(next);
    }
    if (plan.update.length > 0) return plan;
  }

  if (!d.spec.paused) {
    if (!newRS) {
      plan.create = newReplicaSet(d, recreate(d) ? 0 : newReplicaSetReplicas(d, rss, undefined), maxOld + 1, now);
      return plan;
    }
    const step = recreate(d) ? recreateStep(d, old, newRS) : rollingStep(d, old, newRS);
    if (revisionOf(newRS) <= maxOld) step.set(newRS, step.get(newRS) ?? specReplicas(newRS));
    for (const [rs, replicas] of step)
      plan.update.push(resized(d, rs, replicas, rs === newRS ? maxOld + 1 : undefined));
    if (plan.update.length > 0) return plan;
    plan.remove = historyToDelete(d, old);
  }

  const revision = String(newRS ? revisionOf(newRS) : maxOld);
  const next: Deployment = {
    ...d,
    metadata: { ...d.metadata, annotations: { ...d.metadata.annotations, [REVISION_ANNOTATION]: revision } },
    status: deploymentStatus(d, rss, newRS, now),
  };
  if (!semanticEqual(next.status, d.status) || d.metadata.annotations?.[REVISION_ANNOTATION] !== revision)
    plan.deployment = next;
  return plan;
}

function recreate(d: Deployment): boolean {
  return d.spec.strategy?.type === 'Recreate';
}

// New sizes for a rolling update: grow the new ReplicaSet first, shrink old ones once it cannot grow.
function rollingStep(d: Deployment, old: readonly ReplicaSet[], newRS: ReplicaSet): Map<ReplicaSet, number> {
  const step = new Map<ReplicaSet, number>();
  const want = specReplicas(d);
  if (old.every((rs) => specReplicas(rs) === 0)) {
    if (specReplicas(newRS) !== want) step.set(newRS, want);
    return step;
  }
  const grown = Math.min(newReplicaSetReplicas(d, [...old, newRS], newRS), want);
  if (grown !== specReplicas(newRS)) {
    step.set(newRS, grown);
    return step;
  }
  for (const [rs, size] of scaleDownOldReplicaSets(d, old, newRS)) if (size !== specReplicas(rs)) step.set(rs, size);
  return step;
}

// New sizes for Recreate: every old ReplicaSet to 0, and the new one up once their pods are gone.
function recreateStep(d: Deployment, old: readonly ReplicaSet[], newRS: ReplicaSet): Map<ReplicaSet, number> {
  const step = new Map<ReplicaSet, number>();
  for (const rs of old) if (specReplicas(rs) > 0) step.set(rs, 0);
  if (step.size > 0 || old.some((rs) => (rs.status?.replicas ?? 0) > 0)) return step;
  if (specReplicas(newRS) !== specReplicas(d)) step.set(newRS, specReplicas(d));
  return step;
}

function annotations(d: Deployment, rs: ReplicaSet | undefined, revision: number | undefined) {
  const { maxSurge } = recreate(d) ? { maxSurge: 0 } : resolveFenceposts(d);
  return {
    ...rs?.metadata.annotations,
    ...(revision !== undefined ? { [REVISION_ANNOTATION]: String(revision) } : {}),
    [DESIRED_REPLICAS_ANNOTATION]: String(specReplicas(d)),
    [MAX_REPLICAS_ANNOTATION]: String(specReplicas(d) + maxSurge),
  };
}

// `rs` with `replicas` (its generation moves, as the apiserver would move it) and fresh annotations.
function resized(d: Deployment, rs: ReplicaSet, replicas: number, revision: number | undefined): ReplicaSet {
  const changed = replicas !== specReplicas(rs);
  return {
    ...rs,
    metadata: {
      ...rs.metadata,
      annotations: annotations(d, rs, revision),
      generation: (rs.metadata.generation ?? 1) + (changed ? 1 : 0),
    },
    spec: { ...rs.spec, replicas },
  };
}

/** The ReplicaSet `<deployment>-<hash>` for the Deployment's template, with `replicas` and `revision`. */
export function newReplicaSet(d: Deployment, replicas: number, revision: number, now: Date): ReplicaSet {
  const hash = podTemplateHash(d.spec.template);
  const template = structuredClone(d.spec.template);
  const labels = { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash };
  template.metadata = { ...template.metadata, labels };
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace ?? 'default',
      generation: 1,
      creationTimestamp: rfc3339(now),
      labels,
      annotations: annotations(d, undefined, revision),
      ownerReferences: [newControllerRef(d)],
    },
    spec: {
      replicas,
      ...(d.spec.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}),
      selector: {
        ...d.spec.selector,
        matchLabels: { ...d.spec.selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash },
      },
      template,
    },
  };
  return defaultObject(rs);
}

// Old ReplicaSets with no pods left, oldest revision first, beyond revisionHistoryLimit.
function historyToDelete(d: Deployment, old: readonly ReplicaSet[]): ReplicaSet[] {
  const limit = d.spec.revisionHistoryLimit ?? 10;
  const empty = old
    .filter((rs) => specReplicas(rs) === 0 && (rs.status?.replicas ?? 0) === 0 && !rs.metadata.deletionTimestamp)
    .sort((a, b) => revisionOf(a) - revisionOf(b));
  return empty.slice(0, Math.max(0, empty.length - limit));
}
