/**
 * How a container is started, decided from its spec alone: its image (kemu's image for
 * the reference), the command and args with $(VAR) expanded, the env, the pod's hostname
 * and netns, the mounts (kubelet files and volumes) and the securityContext. The image
 * decides what runs: the kemu workload for nginx, databases and unknown images without a
 * command (the "built-in" workload, whose readiness waits for its ports), the command in
 * its image otherwise. The env is service links, then the container's env (values,
 * fieldRefs, $(VAR) expansion), then the KEMU_* identity every pod process carries
 * (adoption reads KEMU_POD_UID back).
 */
import type { Container, EnvVar, Pod } from '@kemu/api';
import { imageDefinition, parseImageReference } from '@kemu/containers';
import { type ConfigSources, envFromValues, keyRefValue } from './config-env.js';
import { containerMounts, containerSecurity, type MountSpec, type PodFiles } from './container-spec.js';

/** A read-only volume from a node directory, bound as a directory at `mountPath`. */
export interface VolumeBind {
  source: string;
  mountPath: string;
}

/** Everything needed to start one container. */
export interface LaunchContext {
  pod: Pod;
  container: Container;
  podIP: string;
  hostIP: string;
  node: string;
  /** Path of the pod's network namespace (/var/run/netns/<sandbox>). */
  netnsPath: string;
  files: PodFiles;
  serviceEnv: Record<string, string>;
  /** ConfigMaps and Secrets for envFrom and key refs; without it those are skipped. */
  config?: ConfigSources;
  /** Read-only volumes of this container from node directories (ConfigMap, Secret, ServiceAccount): host directory → mountPath. */
  binds?: VolumeBind[];
}

/** The container to create. */
export interface ContainerLaunch {
  image: string;
  /** `command` with $(VAR) expanded; undefined keeps the image's entrypoint. */
  command?: string[];
  /** `args` with $(VAR) expanded; undefined keeps the image's cmd. */
  args?: string[];
  env: Record<string, string>;
  hostname: string;
  netnsPath: string;
  mounts: MountSpec[];
  /** The read-only node-directory volumes (also in `mounts`); the process runtime binds them itself. */
  binds: VolumeBind[];
  security: ReturnType<typeof containerSecurity>;
  /** A FIFO the container reads as stdin (containers with `stdin: true`). */
  stdinPath?: string;
  /** True for the kemu workload (readiness then waits for its ports). */
  builtIn: boolean;
}

/** The declared TCP containerPorts. */
export function containerPorts(container: Container): number[] {
  return (container.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => p.containerPort);
}

/** Default ports of database-like images, which the built-in workload serves as a TCP server. */
const DATABASE_PORTS: Record<string, number> = { mysql: 3306, mariadb: 3306, postgres: 5432, redis: 6379 };

/** Whether the container runs the kemu workload: an emulated image without a command of its own. */
export function runsBuiltIn(container: Container): boolean {
  return imageDefinition(container.image, commandShape(container)).rootfs === 'workload';
}

/** Whether a container sets command and args (what decides the image an emulated one runs in). */
export function commandShape(c: { command?: string[]; args?: string[] }): { hasCommand: boolean; hasArgs: boolean } {
  return { hasCommand: (c.command ?? []).length > 0, hasArgs: (c.args ?? []).length > 0 };
}

/**
 * The ports whose accepting TCP makes a built-in workload ready without a readinessProbe:
 * the declared ones, else the image's default (8080 for the HTTP server, 3306/5432/6379
 * for database images); none for app images without declared ports (a client), which
 * are ready once running.
 */
export function builtInReadinessPorts(container: Container): number[] {
  const declared = containerPorts(container);
  const name = (parseImageReference(container.image).name.split('/').pop() ?? '').toLowerCase();
  if (name === 'serve_hostname') return declared.length > 0 ? declared : [9376];
  if (name === 'agnhost') {
    if (declared.length > 0) return declared;
    const [sub, ...rest] = container.args ?? [];
    const port = flagValue(rest, 'http-port') ?? flagValue(rest, 'port');
    if (sub === 'netexec') return [Number(port ?? 8080)];
    return sub === 'serve-hostname' && !rest.includes('--udp') ? [Number(port ?? 9376)] : [];
  }
  const dbPort = DATABASE_PORTS[name];
  if (dbPort !== undefined) return declared.length > 0 ? declared : [dbPort];
  if (/app/.test(name)) return declared;
  return declared.length > 0 ? declared : [8080];
}

/** The value of `--name=v` or `--name v` in an argument list (agnhost takes both). */
function flagValue(args: readonly string[], name: string): string | undefined {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  const a = args[i] as string;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[i + 1];
}

/** Expands `$(VAR)` from `env`; `$$(VAR)` stays literal `$(VAR)`, unknown names are kept. */
export function expandVars(s: string, env: Record<string, string>): string {
  return s.replace(/\$(\$|\(([A-Za-z_][A-Za-z0-9_]*)\))/g, (all, inner: string, name?: string) => {
    if (inner === '$') return '$';
    return name !== undefined && env[name] !== undefined ? env[name] : all;
  });
}

function fieldValue(path: string, ctx: LaunchContext): string | undefined {
  const { pod } = ctx;
  const labelOrAnnotation = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (labelOrAnnotation) {
    const map = labelOrAnnotation[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations;
    return map?.[labelOrAnnotation[2] ?? ''];
  }
  const fields: Record<string, string | undefined> = {
    'metadata.name': pod.metadata.name,
    'metadata.namespace': pod.metadata.namespace,
    'metadata.uid': pod.metadata.uid,
    'spec.nodeName': ctx.node,
    'spec.serviceAccountName': (pod.spec.serviceAccountName as string | undefined) ?? 'default',
    'status.podIP': ctx.podIP,
    'status.podIPs': ctx.podIP,
    'status.hostIP': ctx.hostIP,
    'status.hostIPs': ctx.hostIP,
  };
  return fields[path];
}

function envValue(e: EnvVar, env: Record<string, string>, ctx: LaunchContext): string | undefined {
  if (e.value !== undefined) return expandVars(e.value, env);
  if (ctx.config) {
    const v = keyRefValue(e, ctx.pod.metadata.namespace ?? 'default', ctx.config);
    if (v !== undefined) return v;
  }
  const ref = (e.valueFrom as { fieldRef?: { fieldPath?: string } } | undefined)?.fieldRef?.fieldPath;
  return ref ? fieldValue(ref, ctx) : undefined;
}

/** Computes the container to create. */
export function containerLaunch(ctx: LaunchContext): ContainerLaunch {
  const { pod, container } = ctx;
  const env: Record<string, string> = {};
  if (pod.spec.enableServiceLinks !== false) Object.assign(env, ctx.serviceEnv);
  else for (const [k, v] of Object.entries(ctx.serviceEnv)) if (k.startsWith('KUBERNETES_')) env[k] = v;
  if (ctx.config)
    for (const [k, v] of envFromValues(container, pod.metadata.namespace ?? 'default', ctx.config)) env[k] = v;
  for (const e of container.env ?? []) {
    const v = envValue(e, env, ctx);
    if (v !== undefined) env[e.name] = v;
  }
  const hostname = (pod.spec.hostname ?? pod.metadata.name).slice(0, 63);
  Object.assign(env, {
    HOSTNAME: hostname,
    KEMU_POD_NAME: pod.metadata.name,
    KEMU_POD_NAMESPACE: pod.metadata.namespace ?? 'default',
    KEMU_POD_UID: pod.metadata.uid ?? '',
    KEMU_NODE_NAME: ctx.node,
    KEMU_POD_IP: ctx.podIP,
    KEMU_CONTAINER_NAME: container.name,
    KEMU_IMAGE: container.image,
    KEMU_CONTAINER_PORTS: containerPorts(container).join(','),
  });
  const expand = (list: string[] | undefined) =>
    list && list.length > 0 ? list.map((a) => expandVars(a, env)) : undefined;
  const command = expand(container.command);
  const args = expand(container.args);
  const binds = ctx.binds ?? [];
  // Directories, not files: the AtomicWriter's `..data` swap stays visible in the container.
  const bound = new Set(binds.map((b) => b.mountPath));
  const mounts = [
    ...containerMounts(pod, container, ctx.files).filter((m) => !bound.has(m.destination)),
    ...binds.map((b) => ({ destination: b.mountPath, source: b.source, readonly: true })),
  ];
  return {
    image: container.image,
    ...(command ? { command } : {}),
    ...(args ? { args } : {}),
    env,
    hostname,
    netnsPath: ctx.netnsPath,
    mounts,
    binds,
    security: containerSecurity(pod, container),
    builtIn: runsBuiltIn(container),
  };
}
