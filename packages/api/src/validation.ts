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
import type { Endpoint, EndpointPort, EndpointSubset, KubeObject, PodSpec, ServiceSpec } from './types.js';
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
    default:
      return [];
  }
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
