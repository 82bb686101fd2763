/**
 * Service validation (ValidateService / ValidateServiceUpdate of
 * pkg/apis/core/validation), run on a defaulted Service. KUBERNETES.md §3.2.
 */
import { isIP } from 'node:net';
import type { StatusCause } from './errors.js';
import { duplicate, forbidden, GoValue, invalidEach, invalidValue, notSupported, required } from './field-errors.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortName, isValidPortNum } from './names.js';
import type { ServicePort, ServiceSpec } from './types.js';
import { fieldImmutable, validateLabels } from './validate-meta.js';

/** The protocols a port may use, sorted as Kubernetes lists them. */
export const supportedProtocols = ['SCTP', 'TCP', 'UDP'] as const;
const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const maxAffinitySeconds = 86400;

/** ValidatePortNumOrName: an int port in range, or an IANA_SVC_NAME. */
export function validatePortNumOrName(port: unknown, field: string): StatusCause[] {
  if (typeof port === 'number') return invalidEach(field, port, isValidPortNum(port));
  if (typeof port === 'string') return invalidEach(field, port, isValidPortName(port));
  return [];
}

/** Validates one protocol value (Required / Unsupported value). */
export function validateProtocol(protocol: unknown, field: string): StatusCause[] {
  if (!protocol) return [required(field)];
  return supportedProtocols.includes(protocol as 'TCP') ? [] : [notSupported(field, protocol, supportedProtocols)];
}

function servicePortKey(p: ServicePort): GoValue {
  return new GoValue(
    `core.ServicePort{Name:"", Protocol:${JSON.stringify(p.protocol ?? '')}, AppProtocol:(*string)(nil), Port:${p.port ?? 0}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`,
  );
}

function validatePorts(spec: ServiceSpec): StatusCause[] {
  const causes: StatusCause[] = [];
  const ports = spec.ports ?? [];
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const path = `spec.ports[${i}]`;
    if (ports.length > 1 && !p.name) causes.push(required(`${path}.name`));
    else if (p.name) {
      causes.push(...invalidEach(`${path}.name`, p.name, isDNS1123Label(p.name)));
      if (names.has(p.name)) causes.push(duplicate(`${path}.name`, p.name));
      names.add(p.name);
    }
    causes.push(...invalidEach(`${path}.port`, p.port ?? 0, isValidPortNum(p.port ?? 0)));
    causes.push(...validateProtocol(p.protocol, `${path}.protocol`));
    causes.push(...validatePortNumOrName(p.targetPort, `${path}.targetPort`));
  });
  return causes;
}

function validateAffinity(spec: ServiceSpec): StatusCause[] {
  const path = 'spec.sessionAffinityConfig';
  if (!spec.sessionAffinity) return [required('spec.sessionAffinity')];
  if (spec.sessionAffinity === 'None')
    return spec.sessionAffinityConfig ? [forbidden(path, 'must not be set when session affinity is None')] : [];
  if (spec.sessionAffinity !== 'ClientIP')
    return [notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None'])];
  const when = 'when session affinity type is ClientIP';
  if (!spec.sessionAffinityConfig) return [required(path, when)];
  if (!spec.sessionAffinityConfig.clientIP) return [required(`${path}.clientIP`, when)];
  const t = spec.sessionAffinityConfig.clientIP.timeoutSeconds;
  if (t === undefined || t === null) return [required(`${path}.clientIP.timeoutSeconds`, when)];
  if (t <= 0 || t > maxAffinitySeconds)
    return [
      invalidValue(`${path}.clientIP.timeoutSeconds`, t, `must be greater than 0 and less than ${maxAffinitySeconds}`),
    ];
  return [];
}

function validateClusterIPs(spec: ServiceSpec): StatusCause[] {
  const causes: StatusCause[] = [];
  if (spec.type === 'ExternalName') return causes;
  const ips = spec.clusterIPs ?? [];
  if (spec.clusterIP && ips.length > 0 && ips[0] !== spec.clusterIP)
    causes.push(invalidValue('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  if (!spec.clusterIP && ips.length > 0)
    causes.push(invalidValue('spec.clusterIPs', ips, 'must be empty when `clusterIP` is not specified'));
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) causes.push(invalidValue('spec.clusterIPs', ips, "'None' must be the first and only value"));
    } else if (isIP(ip) === 0)
      causes.push(
        invalidValue(`spec.clusterIPs[${i}]`, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'),
      );
  });
  if (spec.clusterIP && spec.clusterIP !== 'None' && ips.length === 0 && isIP(spec.clusterIP) === 0) {
    causes.push(invalidValue('spec.clusterIP', spec.clusterIP, "must be empty, 'None', or a valid IP address"));
  }
  (spec.ipFamilies ?? []).forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') causes.push(notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']));
    else if (spec.ipFamilies!.indexOf(f) !== i) causes.push(duplicate(`spec.ipFamilies[${i}]`, f));
  });
  if (spec.ipFamilyPolicy && !['PreferDualStack', 'RequireDualStack', 'SingleStack'].includes(spec.ipFamilyPolicy)) {
    causes.push(
      notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, ['PreferDualStack', 'RequireDualStack', 'SingleStack']),
    );
  }
  return causes;
}

/** ValidateService on a defaulted Service spec. */
export function validateServiceSpec(spec: ServiceSpec | undefined): StatusCause[] {
  const s: ServiceSpec = spec ?? {};
  const causes: StatusCause[] = [];
  const headless = s.clusterIP === 'None';
  if ((s.ports ?? []).length === 0 && !headless && s.type !== 'ExternalName') causes.push(required('spec.ports'));
  if ((s.type === 'NodePort' || s.type === 'LoadBalancer') && headless)
    causes.push(invalidValue('spec.clusterIP', s.clusterIP, `may not be set to 'None' for ${s.type} services`));
  if (s.type === 'ExternalName') {
    const notForExternalName = 'may not be set for ExternalName services';
    if (s.clusterIP || (s.clusterIPs ?? []).length > 0) causes.push(forbidden('spec.clusterIPs', notForExternalName));
    if ((s.ipFamilies ?? []).length > 0) causes.push(forbidden('spec.ipFamilies', notForExternalName));
    if (s.ipFamilyPolicy) causes.push(forbidden('spec.ipFamilyPolicy', notForExternalName));
    const cname = (s.externalName ?? '').replace(/\.$/, '');
    if (cname) causes.push(...invalidEach('spec.externalName', cname, isDNS1123Subdomain(cname)));
    else causes.push(required('spec.externalName'));
  }
  causes.push(...validatePorts(s));
  if (s.selector) causes.push(...validateLabels(s.selector, 'spec.selector'));
  causes.push(...validateAffinity(s));
  if (!s.type) causes.push(required('spec.type'));
  else if (!serviceTypes.includes(s.type)) causes.push(notSupported('spec.type', s.type, serviceTypes));
  if (s.type === 'ClusterIP') {
    (s.ports ?? []).forEach((p, i) => {
      if (p.nodePort) causes.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const seen = new Set<string>();
  (s.ports ?? []).forEach((p, i) => {
    const key = `${p.protocol}/${p.port}`;
    if (seen.has(key)) causes.push(duplicate(`spec.ports[${i}]`, servicePortKey(p)));
    seen.add(key);
  });
  if (s.type !== 'ExternalName') {
    if (!s.internalTrafficPolicy) causes.push(required('spec.internalTrafficPolicy'));
    else if (s.internalTrafficPolicy !== 'Cluster' && s.internalTrafficPolicy !== 'Local')
      causes.push(notSupported('spec.internalTrafficPolicy', s.internalTrafficPolicy, ['Cluster', 'Local']));
  }
  causes.push(...validateClusterIPs(s));
  return causes;
}

/** ValidateServiceUpdate's spec part: the ClusterIP may not change, except to or from ExternalName. */
export function validateServiceSpecUpdate(spec: ServiceSpec | undefined, old: ServiceSpec | undefined): StatusCause[] {
  if (!spec || !old || spec.type === 'ExternalName' || old.type === 'ExternalName') return [];
  if (old.clusterIP && spec.clusterIP !== old.clusterIP)
    return [invalidValue('spec.clusterIP', spec.clusterIP ?? '', fieldImmutable)];
  const a = old.clusterIPs ?? [];
  const b = spec.clusterIPs ?? [];
  if (a.length > 0 && b.length > 0 && a[0] !== b[0])
    return [invalidValue('spec.clusterIPs[0]', b, 'may not change once set')];
  return [];
}
