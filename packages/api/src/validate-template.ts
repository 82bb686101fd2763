/**
 * The selector-and-template rules every selecting workload shares (StatefulSet,
 * DaemonSet, Job): a non-empty valid selector that matches the template's labels, a
 * valid pod spec, and the restart policies the kind allows.
 */
import type { StatusCause } from './errors.js';
import { invalidValue, notSupported, required } from './field-errors.js';
import { matchLabelSelectorObject } from './label-selector.js';
import type { LabelSelectorObject, PodTemplateSpec } from './types.js';
import { validateLabels } from './validate-meta.js';
import { validatePodSpec } from './validate-pod.js';
import { goLabelSelector, validateLabelSelector } from './validate-workloads.js';

/** A cause when `value` is a negative number. */
export function nonNegative(value: unknown, path: string): StatusCause[] {
  return typeof value === 'number' && value < 0
    ? [invalidValue(path, value, 'must be greater than or equal to 0')]
    : [];
}

/** Validates `<path>.selector` and `<path>.template` of a workload whose kind is `what` (`statefulset`). */
export function validateSelectorAndTemplate(
  sel: LabelSelectorObject | undefined,
  t: PodTemplateSpec | undefined,
  what: string,
  restartPolicies: string[],
  path = 'spec',
): StatusCause[] {
  const causes: StatusCause[] = [];
  const empty = !sel || Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0;
  if (!sel) causes.push(required(`${path}.selector`));
  else {
    causes.push(...validateLabelSelector(sel, `${path}.selector`));
    if (empty)
      causes.push(invalidValue(`${path}.selector`, goLabelSelector(sel), `empty selector is invalid for ${what}`));
  }
  if (!t) return [...causes, required(`${path}.template`)];
  const labels = (t.metadata?.labels ?? {}) as Record<string, string>;
  if (sel && !empty && !matchLabelSelectorObject(sel, labels))
    causes.push(
      invalidValue(`${path}.template.metadata.labels`, labels, '`selector` does not match template `labels`'),
    );
  causes.push(...validateLabels(t.metadata?.labels, `${path}.template.metadata.labels`));
  causes.push(...validatePodSpec(t.spec, `${path}.template.spec`));
  const restart = t.spec?.restartPolicy;
  if (!restart)
    causes.push(
      required(
        `${path}.template.spec.restartPolicy`,
        `valid values: ${restartPolicies.map((p) => `"${p}"`).join(', ')}`,
      ),
    );
  else if (!restartPolicies.includes(restart))
    causes.push(notSupported(`${path}.template.spec.restartPolicy`, restart, restartPolicies));
  return causes;
}
