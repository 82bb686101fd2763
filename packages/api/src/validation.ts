/**
 * Object validation as the apiserver runs it after defaulting: field causes with
 * Kubernetes' exact messages and paths, for `invalid(kind, name, causes)` (422).
 * Pass `old` on update to add the immutability rules.
 */
import { isIP } from 'node:net';
import type { StatusCause } from './errors.js';
import { invalidEach, invalidValue, notSupported, required } from './field-errors.js';
import { isDNS1123Label, isValidPortNum } from './names.js';
import { resourceTypes } from './resources.js';
import type {
  ConfigMap,
  Endpoint,
  EndpointPort,
  EndpointSubset,
  KubeObject,
  PodSpec,
  PolicyRule,
  Role,
  RoleBinding,
  Secret,
  ServiceSpec,
} from './types.js';
import { validateConfigMap, validateConfigUpdate, validateSecret } from './validate-config.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './validate-meta.js';
import { validatePodSpec, validatePodSpecUpdate } from './validate-pod.js';
import { validateProtocol, validateServiceSpec, validateServiceSpecUpdate } from './validate-service.js';
import {
  validateCronJobSpec,
  validateDaemonSetSpec,
  validateJobSpec,
  validateJobSpecUpdate,
} from './validate-batch.js';
import { validateStatefulSetSpec, validateStatefulSetSpecUpdate } from './validate-statefulset.js';
import { validateWorkloadSpec, validateWorkloadSpecUpdate } from './validate-workloads.js';

const invalidIP = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

function validateEndpointPorts(ports: EndpointPort[] | null | undefined, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const list = ports ?? [];
  list.forEach((p, i) => {
    const at = `${path}[${i}]`;
    if (list.length > 1 && !p.name) causes.push(required(`${at}.name`));
    else if (p.name) causes.push(...invalidEach(`${at}.name`, p.name, isDNS1123Label(p.name)));
    causes.push(...invalidEach(`${at}.port`, p.port ?? 0, isValidPortNum(p.port ?? 0)));
    causes.push(...validateProtocol(p.protocol, `${at}.protocol`));
  });
  return causes;
}

function validateEndpoints(subsets: EndpointSubset[] | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  (subsets ?? []).forEach((s, i) => {
    const at = `subsets[${i}]`;
    if (!(s.addresses ?? []).length && !(s.notReadyAddresses ?? []).length)
      causes.push(required(at, 'must specify `addresses` or `notReadyAddresses`'));
    for (const key of ['addresses', 'notReadyAddresses'] as const) {
      (s[key] ?? []).forEach((a, j) => {
        if (isIP(a.ip ?? '') === 0) causes.push(invalidValue(`${at}.${key}[${j}].ip`, a.ip ?? '', invalidIP));
      });
    }
    causes.push(...validateEndpointPorts(s.ports, `${at}.ports`));
  });
  return causes;
}

function validateEndpointSlice(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const type = obj.addressType as string | undefined;
  if (!type) causes.push(required('addressType'));
  else if (!['FQDN', 'IPv4', 'IPv6'].includes(type))
    causes.push(notSupported('addressType', type, ['FQDN', 'IPv4', 'IPv6']));
  ((obj.endpoints as Endpoint[] | null | undefined) ?? []).forEach((e, i) => {
    const addrs = e.addresses ?? [];
    if (addrs.length === 0) causes.push(required(`endpoints[${i}].addresses`, 'must contain at least 1 address'));
    addrs.forEach((a, j) => {
      const want = type === 'IPv4' ? 4 : type === 'IPv6' ? 6 : 0;
      if (want && isIP(a) !== want)
        causes.push(invalidValue(`endpoints[${i}].addresses[${j}]`, a, `must be a valid IPv${want} address`));
    });
  });
  causes.push(...validateEndpointPorts(obj.ports as EndpointPort[] | null, 'ports'));
  return causes;
}

function validateSpec(obj: KubeObject): StatusCause[] {
  switch (obj.kind) {
    case 'Service':
      return validateServiceSpec(obj.spec as ServiceSpec);
    case 'Pod':
      return validatePodSpec(obj.spec as PodSpec);
    case 'Deployment':
    case 'ReplicaSet':
      return validateWorkloadSpec(obj.kind, obj.spec as never);
    case 'StatefulSet':
      return validateStatefulSetSpec(obj.spec as never);
    case 'DaemonSet':
      return validateDaemonSetSpec(obj.spec as never);
    case 'Job':
      return validateJobSpec(obj.spec as never);
    case 'CronJob':
      return validateCronJobSpec(obj.spec as never);
    case 'Endpoints':
      return validateEndpoints(obj.subsets as EndpointSubset[]);
    case 'EndpointSlice':
      return validateEndpointSlice(obj);
    case 'ConfigMap':
      return validateConfigMap(obj as ConfigMap);
    case 'Secret':
      return validateSecret(obj as Secret);
    case 'Role':
    case 'ClusterRole':
      return validateRules((obj as Role).rules);
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      return validateBinding(obj as RoleBinding);
    default:
      return [];
  }
}

/** ValidatePolicyRule: verbs required; a rule names resources (with apiGroups) or non-resource URLs. */
function validateRules(rules: PolicyRule[] | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  (rules ?? []).forEach((r, i) => {
    const at = `rules[${i}]`;
    if (!r || (r.verbs ?? []).length === 0)
      causes.push(required(`${at}.verbs`, 'verbs must contain at least one value'));
    if (!r) return;
    const urls = (r.nonResourceURLs ?? []).length > 0;
    const resources = (r.resources ?? []).length > 0;
    if (urls && resources)
      causes.push(
        invalidValue(
          `${at}.nonResourceURLs`,
          r.nonResourceURLs,
          'rules cannot apply to both regular resources and non-resource URLs',
        ),
      );
    if (resources && r.apiGroups === undefined)
      causes.push(required(`${at}.apiGroups`, 'resource rules must supply at least one api group'));
  });
  return causes;
}

/** ValidateRoleBinding: a roleRef naming a Role or ClusterRole, and well-formed subjects. */
function validateBinding(b: RoleBinding): StatusCause[] {
  const causes: StatusCause[] = [];
  const ref = b.roleRef;
  if (!ref || typeof ref !== 'object') return [required('roleRef')];
  if (ref.apiGroup !== 'rbac.authorization.k8s.io')
    causes.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', ['rbac.authorization.k8s.io']));
  const kinds = b.kind === 'ClusterRoleBinding' ? ['ClusterRole'] : ['Role', 'ClusterRole'];
  if (!kinds.includes(ref.kind)) causes.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) causes.push(required('roleRef.name'));
  (b.subjects ?? []).forEach((sub, i) => {
    const at = `subjects[${i}]`;
    if (!sub?.name) causes.push(required(`${at}.name`));
    if (!['User', 'Group', 'ServiceAccount'].includes(sub?.kind))
      causes.push(notSupported(`${at}.kind`, sub?.kind ?? '', ['ServiceAccount', 'User', 'Group']));
    if (sub?.kind === 'ServiceAccount' && b.kind === 'ClusterRoleBinding' && !sub.namespace)
      causes.push(required(`${at}.namespace`));
  });
  return causes;
}

function validateSpecUpdate(obj: KubeObject, old: KubeObject): StatusCause[] {
  switch (obj.kind) {
    case 'Service':
      return validateServiceSpecUpdate(obj.spec as ServiceSpec, old.spec as ServiceSpec);
    case 'Pod':
      return validatePodSpecUpdate(obj.spec as PodSpec, old.spec as PodSpec);
    case 'Deployment':
    case 'ReplicaSet':
      return validateWorkloadSpecUpdate(obj.spec as never, old.spec as never);
    case 'ConfigMap':
    case 'Secret':
      return validateConfigUpdate(obj as ConfigMap, old as ConfigMap, obj.kind);
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      return JSON.stringify((obj as RoleBinding).roleRef) === JSON.stringify((old as RoleBinding).roleRef)
        ? []
        : [invalidValue('roleRef', (obj as RoleBinding).roleRef, 'cannot change roleRef')];
    case 'StatefulSet':
      return validateStatefulSetSpecUpdate(obj.spec as never, old.spec as never);
    case 'DaemonSet':
      return validateWorkloadSpecUpdate(obj.spec as never, old.spec as never);
    case 'Job':
      return validateJobSpecUpdate(obj.spec as never, old.spec as never);
    default:
      return [];
  }
}

/** Validates a defaulted object (and, with `old`, an update of it); an empty list means valid. */
export function validateObject(obj: KubeObject, old?: KubeObject): StatusCause[] {
  const type = resourceTypes.find((t) => t.kind === obj.kind);
  const causes: StatusCause[] = [];
  if (old)
    causes.push(...validateObjectMetaUpdate(obj.metadata ?? {}, old.metadata ?? {}), ...validateSpecUpdate(obj, old));
  causes.push(...validateObjectMeta(obj.metadata, obj.kind, type?.namespaced ?? true));
  causes.push(...validateSpec(obj));
  return causes;
}
