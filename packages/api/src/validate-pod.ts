/**
 * Pod spec validation (ValidatePodSpec and its container, port, env, probe and volume
 * checks), run on a defaulted spec; `path` is `spec` for Pods and `spec.template.spec`
 * for workload templates.
 */
import { deepEqual } from './deep-equal.js';
import type { StatusCause } from './errors.js';
import {
  duplicate,
  forbidden,
  invalidEach,
  invalidValue,
  notFoundValue,
  notSupported,
  required,
} from './field-errors.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortName, isValidPortNum } from './names.js';
import type { Container, PodSpec, Probe } from './types.js';
import { validatePortNumOrName, validateProtocol } from './validate-service.js';
import { validateConfigVolume, validateEnvFrom, validateEnvSources } from './validate-pod-config.js';
import { validateResources } from './validate-resources.js';

type Rec = Record<string, unknown>;
const nonNegative = 'must be greater than or equal to 0';

function validatePorts(ports: Container['ports'], path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((p, i) => {
    const at = `${path}[${i}]`;
    if (p.name) {
      const msgs = isValidPortName(p.name);
      if (msgs.length) causes.push(...invalidEach(`${at}.name`, p.name, msgs));
      else if (names.has(p.name)) causes.push(duplicate(`${at}.name`, p.name));
      names.add(p.name);
    }
    if (!p.containerPort) causes.push(required(`${at}.containerPort`));
    else causes.push(...invalidEach(`${at}.containerPort`, p.containerPort, isValidPortNum(p.containerPort)));
    if (p.hostPort) causes.push(...invalidEach(`${at}.hostPort`, p.hostPort, isValidPortNum(p.hostPort)));
    causes.push(...validateProtocol(p.protocol, `${at}.protocol`));
  });
  return causes;
}

function validateEnv(env: Container['env'], path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  (env ?? []).forEach((e, i) => {
    if (!e.name) causes.push(required(`${path}[${i}].name`));
    else if (!/^[\x20-\x3c\x3e-\x7e]+$/.test(e.name))
      causes.push(
        invalidValue(
          `${path}[${i}].name`,
          e.name,
          "a valid environment variable name must consist only of printable ASCII characters other than '='",
        ),
      );
  });
  return causes;
}

function validateProbe(probe: Probe | undefined, path: string, mustSucceedOnce: boolean): StatusCause[] {
  if (!probe) return [];
  const causes: StatusCause[] = [];
  const handlers = (['exec', 'httpGet', 'tcpSocket', 'grpc'] as const).filter((h) => (probe as Rec)[h] !== undefined);
  if (handlers.length === 0) causes.push(required(path, 'must specify a handler type'));
  handlers.slice(1).forEach((h) => causes.push(forbidden(`${path}.${h}`, 'may not specify more than 1 handler type')));
  if (probe.exec && !(probe.exec.command ?? []).length) causes.push(required(`${path}.exec.command`));
  if (probe.httpGet) {
    if (!probe.httpGet.path) causes.push(required(`${path}.httpGet.path`));
    causes.push(...validatePortNumOrName(probe.httpGet.port ?? 0, `${path}.httpGet.port`));
    const scheme = probe.httpGet.scheme;
    if (scheme && scheme !== 'HTTP' && scheme !== 'HTTPS')
      causes.push(notSupported(`${path}.httpGet.scheme`, scheme, ['HTTP', 'HTTPS']));
  }
  if (probe.tcpSocket) causes.push(...validatePortNumOrName(probe.tcpSocket.port ?? 0, `${path}.tcpSocket.port`));
  for (const k of [
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'successThreshold',
    'failureThreshold',
  ] as const) {
    const v = probe[k];
    if (typeof v === 'number' && v < 0) causes.push(invalidValue(`${path}.${k}`, v, nonNegative));
  }
  if (mustSucceedOnce && probe.successThreshold !== undefined && probe.successThreshold !== 1)
    causes.push(invalidValue(`${path}.successThreshold`, probe.successThreshold, 'must be 1'));
  return causes;
}

function validateContainer(c: Container, path: string, volumes: Set<string>): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!c.name) causes.push(required(`${path}.name`));
  else causes.push(...invalidEach(`${path}.name`, c.name, isDNS1123Label(c.name)));
  if (!c.image) causes.push(required(`${path}.image`));
  const tmp = c.terminationMessagePolicy;
  if (!tmp) causes.push(required(`${path}.terminationMessagePolicy`));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError')
    causes.push(notSupported(`${path}.terminationMessagePolicy`, tmp, ['File', 'FallbackToLogsOnError']));
  causes.push(...validatePorts(c.ports, `${path}.ports`));
  causes.push(...validateEnv(c.env, `${path}.env`));
  causes.push(...validateEnvSources(c.env, `${path}.env`), ...validateEnvFrom(c.envFrom, `${path}.envFrom`));
  const mounts = (c.volumeMounts ?? []) as { name?: string; mountPath?: string }[];
  mounts.forEach((m, i) => {
    if (!m.name) causes.push(required(`${path}.volumeMounts[${i}].name`));
    else if (!volumes.has(m.name)) causes.push(notFoundValue(`${path}.volumeMounts[${i}].name`, m.name));
    if (!m.mountPath) causes.push(required(`${path}.volumeMounts[${i}].mountPath`));
  });
  const pull = c.imagePullPolicy;
  if (!pull) causes.push(required(`${path}.imagePullPolicy`));
  else if (!['Always', 'IfNotPresent', 'Never'].includes(pull as string))
    causes.push(notSupported(`${path}.imagePullPolicy`, pull, ['Always', 'IfNotPresent', 'Never']));
  causes.push(...validateResources(c.resources, `${path}.resources`));
  return causes;
}

function validateVolumes(spec: PodSpec, path: string): { causes: StatusCause[]; names: Set<string> } {
  const causes: StatusCause[] = [];
  const names = new Set<string>();
  ((spec.volumes ?? []) as Rec[]).forEach((v, i) => {
    const at = `${path}.volumes[${i}]`;
    const name = v.name as string | undefined;
    if (!name) causes.push(required(`${at}.name`));
    else {
      causes.push(...invalidEach(`${at}.name`, name, isDNS1123Label(name)));
      if (names.has(name)) causes.push(duplicate(`${at}.name`, name));
      names.add(name);
    }
    if (Object.keys(v).filter((k) => k !== 'name').length === 0)
      causes.push(required(at, 'must specify a volume type'));
    for (const kind of ['configMap', 'secret'] as const)
      if (v[kind] && typeof v[kind] === 'object')
        causes.push(...validateConfigVolume(kind, v[kind] as Rec, `${at}.${kind}`));
  });
  return { causes, names };
}

/** ValidatePodSpec (the subset kemu models): volumes, containers, restartPolicy, dnsPolicy, nodeName, hostname. */
export function validatePodSpec(spec: PodSpec | undefined, path = 'spec'): StatusCause[] {
  const s = spec ?? ({} as PodSpec);
  const { causes, names: volumes } = validateVolumes(s, path);
  const containers = s.containers ?? [];
  if (containers.length === 0) causes.push(required(`${path}.containers`));
  const seen = new Set<string>();
  containers.forEach((c, i) => {
    const at = `${path}.containers[${i}]`;
    causes.push(...validateContainer(c, at, volumes));
    if (seen.has(c.name ?? '')) causes.push(duplicate(`${at}.name`, c.name ?? ''));
    seen.add(c.name ?? '');
    causes.push(...validateProbe(c.livenessProbe, `${at}.livenessProbe`, true));
    causes.push(...validateProbe(c.readinessProbe, `${at}.readinessProbe`, false));
    causes.push(...validateProbe(c.startupProbe, `${at}.startupProbe`, true));
  });
  ((s.initContainers ?? []) as Container[]).forEach((c, i) => {
    const at = `${path}.initContainers[${i}]`;
    causes.push(...validateContainer(c, at, volumes));
    if (seen.has(c.name ?? '')) causes.push(duplicate(`${at}.name`, c.name ?? ''));
    seen.add(c.name ?? '');
  });
  const rp = s.restartPolicy;
  if (!rp) causes.push(required(`${path}.restartPolicy`));
  else if (!['Always', 'OnFailure', 'Never'].includes(rp))
    causes.push(notSupported(`${path}.restartPolicy`, rp, ['Always', 'OnFailure', 'Never']));
  const dns = s.dnsPolicy;
  if (!dns) causes.push(required(`${path}.dnsPolicy`));
  else if (!['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'].includes(dns))
    causes.push(notSupported(`${path}.dnsPolicy`, dns, ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None']));
  if (s.nodeName) causes.push(...invalidEach(`${path}.nodeName`, s.nodeName, isDNS1123Subdomain(s.nodeName)));
  if (s.hostname) causes.push(...invalidEach(`${path}.hostname`, s.hostname, isDNS1123Label(s.hostname)));
  if (s.subdomain) causes.push(...invalidEach(`${path}.subdomain`, s.subdomain, isDNS1123Label(s.subdomain)));
  return causes;
}

const podUpdateForbidden =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** ValidatePodUpdate's spec rule: only images, activeDeadlineSeconds and tolerations may change. */
export function validatePodSpecUpdate(spec: PodSpec | undefined, old: PodSpec | undefined): StatusCause[] {
  if (!spec || !old) return [];
  const mutable = (s: PodSpec): unknown => {
    const strip = (cs: unknown): unknown => ((cs ?? []) as Container[]).map(({ image: _image, ...rest }) => rest);
    const { activeDeadlineSeconds: _a, tolerations: _t, ...rest } = s as Rec;
    return { ...rest, containers: strip(s.containers), initContainers: strip(s.initContainers) };
  };
  return deepEqual(mutable(spec), mutable(old)) ? [] : [forbidden('spec', podUpdateForbidden)];
}
