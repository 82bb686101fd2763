/**
 * Deployment and ReplicaSet validation (apps/v1): selector rules, the pod template,
 * and the immutable selector on update.
 */
import { deepEqual } from './deep-equal.js';
import type { StatusCause } from './errors.js';
import { forbidden, GoValue, invalidEach, invalidValue, notSupported, required } from './field-errors.js';
import { matchLabelSelectorObject } from './label-selector.js';
import { isValidLabelValue } from './names.js';
import type { LabelSelectorObject, PodTemplateSpec } from './types.js';
import { fieldImmutable, validateLabels } from './validate-meta.js';
import { validatePodSpec } from './validate-pod.js';

type WorkloadSpec = {
  replicas?: number;
  selector?: LabelSelectorObject;
  template?: PodTemplateSpec;
  strategy?: { type?: string };
  [k: string]: unknown;
};

/** `&v1.LabelSelector{…}` as Go's %#v prints a selector. */
export function goLabelSelector(sel: LabelSelectorObject | undefined): GoValue {
  if (!sel) return new GoValue('(*v1.LabelSelector)(nil)');
  const labels = Object.entries(sel.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  const ml = sel.matchLabels
    ? `map[string]string{${labels.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(', ')}}`
    : 'map[string]string(nil)';
  const me = sel.matchExpressions
    ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions.map((e) => `v1.LabelSelectorRequirement{Key:${JSON.stringify(e.key)}, Operator:${JSON.stringify(e.operator)}, Values:${e.values ? `[]string{${e.values.map((v) => JSON.stringify(v)).join(', ')}}` : '[]string(nil)'}}`).join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return new GoValue(`&v1.LabelSelector{MatchLabels:${ml}, MatchExpressions:${me}}`);
}

/** ValidateLabelSelector: matchLabels as labels, matchExpressions with valid keys, operators and values. */
export function validateLabelSelector(sel: LabelSelectorObject, path: string): StatusCause[] {
  const causes = validateLabels(sel.matchLabels, `${path}.matchLabels`);
  (sel.matchExpressions ?? []).forEach((e, i) => {
    const at = `${path}.matchExpressions[${i}]`;
    const n = (e.values ?? []).length;
    if (e.operator === 'In' || e.operator === 'NotIn') {
      if (n === 0) causes.push(required(`${at}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (e.operator === 'Exists' || e.operator === 'DoesNotExist') {
      if (n > 0)
        causes.push(forbidden(`${at}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else causes.push(invalidValue(`${at}.operator`, e.operator, 'not a valid selector operator'));
    causes.push(...validateLabels({ [e.key]: '' }, `${at}.key`));
    (e.values ?? []).forEach((v, j) => causes.push(...invalidEach(`${at}.values[${j}]`, v, isValidLabelValue(v))));
  });
  return causes;
}

/** ValidateDeploymentSpec / ValidateReplicaSetSpec on a defaulted spec. */
export function validateWorkloadSpec(kind: 'Deployment' | 'ReplicaSet', spec: WorkloadSpec | undefined): StatusCause[] {
  const s: WorkloadSpec = spec ?? {};
  const causes: StatusCause[] = [];
  if (typeof s.replicas === 'number' && s.replicas < 0)
    causes.push(invalidValue('spec.replicas', s.replicas, 'must be greater than or equal to 0'));
  const sel = s.selector;
  if (!sel) causes.push(required('spec.selector'));
  else {
    causes.push(...validateLabelSelector(sel, 'spec.selector'));
    if (Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0)
      causes.push(invalidValue('spec.selector', goLabelSelector(sel), 'empty selector is invalid for deployment'));
  }
  const t = s.template;
  if (!t) return [...causes, required('spec.template')];
  const labels = (t.metadata?.labels ?? {}) as Record<string, string>;
  const selectorEmpty = !sel || Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0;
  if (!selectorEmpty && !matchLabelSelectorObject(sel, labels))
    causes.push(invalidValue('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  causes.push(...validateLabels(t.metadata?.labels, 'spec.template.metadata.labels'));
  causes.push(...validatePodSpec(t.spec, 'spec.template.spec'));
  if (t.spec?.restartPolicy && t.spec.restartPolicy !== 'Always')
    causes.push(notSupported('spec.template.spec.restartPolicy', t.spec.restartPolicy, ['Always']));
  if (kind === 'Deployment') {
    const type = s.strategy?.type;
    if (type && type !== 'RollingUpdate' && type !== 'Recreate')
      causes.push(notSupported('spec.strategy.type', type, ['Recreate', 'RollingUpdate']));
  }
  return causes;
}

/** Workload update rule: spec.selector is immutable in apps/v1. */
export function validateWorkloadSpecUpdate(
  spec: WorkloadSpec | undefined,
  old: WorkloadSpec | undefined,
): StatusCause[] {
  if (!spec || !old?.selector) return [];
  return deepEqual(spec.selector ?? null, old.selector)
    ? []
    : [invalidValue('spec.selector', goLabelSelector(spec.selector), fieldImmutable)];
}
