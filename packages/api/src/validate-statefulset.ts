/**
 * StatefulSet validation (apps/v1 ValidateStatefulSetSpec and its update rule), on a
 * defaulted spec. kemu has no storage yet, so volumeClaimTemplates are refused with a
 * message that says so instead of being accepted and never bound.
 */
import { deepEqual } from './deep-equal.js';
import type { StatusCause } from './errors.js';
import { forbidden, GoValue, invalidValue, required } from './field-errors.js';
import type { StatefulSetSpec } from './types.js';
import { nonNegative, validateSelectorAndTemplate } from './validate-template.js';

/** The message of the refusal of spec.volumeClaimTemplates. */
export const NO_STORAGE_MESSAGE =
  'kemu has no storage yet (no PersistentVolumes or PersistentVolumeClaims): remove volumeClaimTemplates and use an emptyDir volume';

/** ValidateStatefulSetSpec. */
export function validateStatefulSetSpec(spec: Partial<StatefulSetSpec> | undefined): StatusCause[] {
  const s = spec ?? {};
  const causes: StatusCause[] = [];
  const policy = s.podManagementPolicy;
  if (!policy) causes.push(required('spec.podManagementPolicy'));
  else if (policy !== 'OrderedReady' && policy !== 'Parallel')
    causes.push(invalidValue('spec.podManagementPolicy', policy, "must be 'OrderedReady' or 'Parallel'"));
  const strategy = s.updateStrategy;
  if (!strategy?.type) causes.push(required('spec.updateStrategy'));
  else if (strategy.type === 'OnDelete') {
    if (strategy.rollingUpdate)
      causes.push(
        invalidValue(
          'spec.updateStrategy.rollingUpdate',
          new GoValue('{}'),
          "only allowed for updateStrategy 'RollingUpdate'",
        ),
      );
  } else if (strategy.type === 'RollingUpdate')
    causes.push(...nonNegative(strategy.rollingUpdate?.partition, 'spec.updateStrategy.rollingUpdate.partition'));
  else causes.push(invalidValue('spec.updateStrategy', strategy.type, "must be 'RollingUpdate' or 'OnDelete'"));
  causes.push(...nonNegative(s.replicas, 'spec.replicas'));
  causes.push(...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'));
  causes.push(...nonNegative(s.ordinals?.start, 'spec.ordinals.start'));
  if ((s.volumeClaimTemplates ?? []).length > 0)
    causes.push(forbidden('spec.volumeClaimTemplates', NO_STORAGE_MESSAGE));
  causes.push(...validateSelectorAndTemplate(s.selector, s.template, 'statefulset', ['Always']));
  return causes;
}

const MUTABLE = [
  'replicas',
  'ordinals',
  'template',
  'updateStrategy',
  'revisionHistoryLimit',
  'persistentVolumeClaimRetentionPolicy',
  'minReadySeconds',
];

/** ValidateStatefulSetUpdate: only the mutable fields of the spec may change. */
export function validateStatefulSetSpecUpdate(
  spec: Partial<StatefulSetSpec> | undefined,
  old: Partial<StatefulSetSpec> | undefined,
): StatusCause[] {
  const strip = (x: Partial<StatefulSetSpec> | undefined) =>
    Object.fromEntries(Object.entries(x ?? {}).filter(([k]) => !MUTABLE.includes(k)));
  if (deepEqual(strip(spec), strip(old))) return [];
  return [
    forbidden(
      'spec',
      "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ),
  ];
}
