/**
 * How a container is started, decided from its spec alone: a container with a command
 * (or args) runs that real command line inside the pod netns, as `busybox` (Debian's
 * real busybox) or `curlimages/curl` would; any other image runs the built-in HTTP
 * workload. Every container gets a UTS namespace with the pod's hostname. The env is
 * service links, then the container's env (values, fieldRefs, $(VAR) expansion), then
 * the KEMU_* identity every pod process carries (adoption reads KEMU_POD_UID back).
 */
import type { Container, EnvVar, Pod } from '@kemu/api';

/** Entrypoints of images whose `args` alone form a command line (kubectl run IMAGE -- ARGS). */
const ENTRYPOINTS: Record<string, string[]> = {
  'curlimages/curl': ['curl'],
};

/** Images whose every command is an applet of a multi-call binary: busybox runs Debian's real busybox. */
const MULTICALL: Record<string, string> = {
  busybox: 'busybox',
};

/** Everything needed to start one container. */
export interface LaunchContext {
  pod: Pod;
  container: Container;
  podIP: string;
  hostIP: string;
  node: string;
  podNetns: string;
  /** Path of services/pod-workload/dist/main.js. */
  workloadEntry: string;
  /** Node binary for the workload. */
  nodeBinary: string;
  serviceEnv: Record<string, string>;
  /** Inherited basics such as PATH. */
  baseEnv: Record<string, string>;
}

/** The process to spawn. */
export interface ContainerLaunch {
  argv: string[];
  env: Record<string, string>;
  /** True for the built-in HTTP workload (readiness then waits for its ports). */
  builtIn: boolean;
}

/** The declared TCP containerPorts. */
export function containerPorts(container: Container): number[] {
  return (container.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => p.containerPort);
}

function imageRepository(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  const repo = colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
  return repo.replace(/^docker\.io\//, '').replace(/^library\//, '');
}

/** Default ports of database-like images, which the built-in workload serves as a TCP server. */
const DATABASE_PORTS: Record<string, number> = { mysql: 3306, mariadb: 3306, postgres: 5432, redis: 6379 };

/**
 * The ports whose accepting TCP makes a built-in workload ready without a readinessProbe:
 * the declared ones, else the image's default (8080 for the HTTP server, 3306/5432/6379
 * for database images); none for app images (a client), which are ready once running.
 */
export function builtInReadinessPorts(container: Container): number[] {
  const declared = containerPorts(container);
  const name = (imageRepository(container.image).split('/').pop() ?? '').toLowerCase();
  const dbPort = DATABASE_PORTS[name];
  if (dbPort !== undefined) return declared.length > 0 ? declared : [dbPort];
  if (/app/.test(name)) return [];
  return declared.length > 0 ? declared : [8080];
}

/** The real command line of a container, or undefined when it runs the built-in workload. */
export function realCommand(container: Container): string[] | undefined {
  const command = container.command ?? [];
  const args = container.args ?? [];
  const repo = imageRepository(container.image);
  let line: string[] | undefined;
  if (command.length > 0) line = [...command, ...args];
  else if (args.length > 0) line = [...(ENTRYPOINTS[repo] ?? []), ...args];
  const multicall = MULTICALL[repo];
  return line && multicall ? [multicall, ...line] : line;
}

/**
 * Runs `command` in a UTS namespace of its own whose hostname is the pod's, as every
 * Kubernetes pod has; `exec` keeps the pid, so the pid spawned is the workload's.
 */
export function inOwnUts(hostname: string, command: string[]): string[] {
  return ['unshare', '--uts', 'sh', '-c', 'hostname "$0" 2>/dev/null; exec "$@"', hostname, ...command];
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
  const ref = (e.valueFrom as { fieldRef?: { fieldPath?: string } } | undefined)?.fieldRef?.fieldPath;
  return ref ? fieldValue(ref, ctx) : undefined;
}

/** Computes argv and env of a container. */
export function containerLaunch(ctx: LaunchContext): ContainerLaunch {
  const { pod, container } = ctx;
  const env: Record<string, string> = { ...ctx.baseEnv };
  if (pod.spec.enableServiceLinks !== false) Object.assign(env, ctx.serviceEnv);
  else for (const [k, v] of Object.entries(ctx.serviceEnv)) if (k.startsWith('KUBERNETES_')) env[k] = v;
  for (const e of container.env ?? []) {
    const v = envValue(e, env, ctx);
    if (v !== undefined) env[e.name] = v;
  }
  const ports = containerPorts(container);
  Object.assign(env, {
    HOSTNAME: pod.spec.hostname ?? pod.metadata.name,
    KEMU_POD_NAME: pod.metadata.name,
    KEMU_POD_NAMESPACE: pod.metadata.namespace ?? 'default',
    KEMU_POD_UID: pod.metadata.uid ?? '',
    KEMU_NODE_NAME: ctx.node,
    KEMU_POD_IP: ctx.podIP,
    KEMU_CONTAINER_NAME: container.name,
    KEMU_IMAGE: container.image,
    KEMU_CONTAINER_PORTS: ports.join(','),
  });
  const command = realCommand(container);
  const inPod = ['ip', 'netns', 'exec', ctx.podNetns];
  const hostname = (pod.spec.hostname ?? pod.metadata.name).slice(0, 63);
  if (command) {
    return {
      argv: [
        ...inPod,
        ...inOwnUts(
          hostname,
          command.map((a) => expandVars(a, env)),
        ),
      ],
      env,
      builtIn: false,
    };
  }
  return { argv: [...inPod, ...inOwnUts(hostname, [ctx.nodeBinary, ctx.workloadEntry])], env, builtIn: true };
}
