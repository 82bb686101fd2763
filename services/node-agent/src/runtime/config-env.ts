/**
 * A container's environment from ConfigMaps and Secrets, as the kubelet builds it:
 * `envFrom` (with `prefix`; keys that are not valid variable names are skipped) first,
 * then `env[].valueFrom.configMapKeyRef/secretKeyRef`. A missing source or key that is
 * not `optional` is a CreateContainerConfigError with the kubelet's message; the
 * container is not created until it appears. Values are read once, at container start.
 */
import type { ConfigMap, Container, EnvVar, Secret } from '@kemu/api';

/** Reads ConfigMaps and Secrets (decrypted) of the pod's namespace. */
export interface ConfigSources {
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
}

/** A container that cannot be created yet; `reason` is its waiting reason. */
export class ContainerConfigError extends Error {
  override readonly name = 'ContainerConfigError';
  readonly code = 'ContainerConfigError';
  constructor(
    message: string,
    readonly reason = 'CreateContainerConfigError',
  ) {
    super(message);
  }
}

interface KeyRef {
  name?: string;
  key: string;
  optional?: boolean;
}

interface SourceRef {
  name?: string;
  optional?: boolean;
}

/** The string values of a ConfigMap (data, then binaryData decoded) or Secret (data decoded). */
export function valuesOf(kind: 'ConfigMap' | 'Secret', obj: ConfigMap | Secret): Record<string, string> {
  const out: Record<string, string> = {};
  if (kind === 'ConfigMap') {
    Object.assign(out, obj.data ?? {});
    for (const [k, v] of Object.entries((obj as ConfigMap).binaryData ?? {}))
      out[k] = Buffer.from(v, 'base64').toString('utf8');
  } else {
    for (const [k, v] of Object.entries(obj.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  }
  return out;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

function lookup(
  sources: ConfigSources,
  kind: 'ConfigMap' | 'Secret',
  namespace: string,
  name: string,
): Record<string, string> | undefined {
  const obj = kind === 'ConfigMap' ? sources.configMap(namespace, name) : sources.secret(namespace, name);
  return obj ? valuesOf(kind, obj) : undefined;
}

function missing(kind: 'ConfigMap' | 'Secret', name: string): ContainerConfigError {
  return new ContainerConfigError(`${kind.toLowerCase()} "${name}" not found`);
}

/** The variables `envFrom` gives a container, in order; throws ContainerConfigError. */
export function envFromValues(container: Container, namespace: string, sources: ConfigSources): [string, string][] {
  const out: [string, string][] = [];
  for (const from of (container.envFrom as Record<string, unknown>[] | undefined) ?? []) {
    const kind = from.configMapRef ? 'ConfigMap' : from.secretRef ? 'Secret' : undefined;
    if (!kind) continue;
    const ref = (from.configMapRef ?? from.secretRef) as SourceRef;
    const values = lookup(sources, kind, namespace, ref.name ?? '');
    if (!values) {
      if (ref.optional) continue;
      throw missing(kind, ref.name ?? '');
    }
    const prefix = typeof from.prefix === 'string' ? from.prefix : '';
    for (const [k, v] of Object.entries(values)) if (ENV_NAME.test(prefix + k)) out.push([prefix + k, v]);
  }
  return out;
}

/** The value of an env entry's configMapKeyRef/secretKeyRef; undefined when it has none or an optional one is absent. */
export function keyRefValue(e: EnvVar, namespace: string, sources: ConfigSources): string | undefined {
  const vf = e.valueFrom as { configMapKeyRef?: KeyRef; secretKeyRef?: KeyRef } | undefined;
  const ref = vf?.configMapKeyRef ?? vf?.secretKeyRef;
  if (!ref) return undefined;
  const kind = vf?.configMapKeyRef ? 'ConfigMap' : 'Secret';
  const values = lookup(sources, kind, namespace, ref.name ?? '');
  if (!values) {
    if (ref.optional) return undefined;
    throw missing(kind, ref.name ?? '');
  }
  const v = values[ref.key];
  if (v === undefined && !ref.optional)
    throw new ContainerConfigError(`couldn't find key ${ref.key} in ${kind} ${namespace}/${ref.name ?? ''}`);
  return v;
}
