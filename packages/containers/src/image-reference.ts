/**
 * Which image a container reference stands for, decided from the name alone: kemu never
 * pulls, so every reference maps to one of the root filesystems it builds from this
 * machine's files (busybox, busybox+curl, DNS tools, the kemu workload) plus the image
 * config the real image carries (entrypoint, cmd, env). Any tag and digest map like the
 * bare name. Unknown images run the kemu workload (nginx, databases, `myapp`) unless the
 * container brings its own command, which then runs in the general-purpose busybox+curl
 * image.
 */

/** The root filesystems kemu builds. */
export type RootfsKind = 'busybox' | 'curl' | 'dnsutils' | 'kubectl' | 'workload';

/** The parts of an OCI image config a container start needs. */
export interface ImageConfig {
  entrypoint: string[];
  cmd: string[];
  env: Record<string, string>;
  workingDir: string;
}

/** What a reference resolves to. */
export interface ImageDefinition {
  /** The reference as the pod spec wrote it. */
  reference: string;
  /** Normalized name without tag or digest (`busybox`, `registry.k8s.io/e2e-test-images/agnhost`). */
  name: string;
  tag: string;
  rootfs: RootfsKind;
  config: ImageConfig;
}

/** PATH of the Linux images on Docker Hub. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Placeholder for services/pod-workload in the workload entrypoint; the image store puts the checkout's path there. */
export const WORKLOAD_DIR = '/kemu/pod-workload';

const WORKLOAD_ENTRYPOINT = ['/usr/bin/node', `${WORKLOAD_DIR}/dist/main.js`];

/** Splits a reference into its normalized name (registry kept unless Docker Hub) and tag. */
export function parseImageReference(reference: string): { name: string; tag: string } {
  const noDigest = reference.split('@')[0] ?? reference;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  const hasTag = colon > lastSlash;
  const repo = hasTag ? noDigest.slice(0, colon) : noDigest;
  const tag = hasTag ? noDigest.slice(colon + 1) : 'latest';
  const name = repo
    .toLowerCase()
    .replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '')
    .replace(/^library\//, '');
  return { name, tag };
}

/** Registries under which Kubernetes publishes the same test images. */
const K8S_REGISTRIES = ['registry.k8s.io', 'k8s.gcr.io', 'gcr.io/google-containers', 'gcr.io/google_containers'];

function k8sImage(name: string, path: string): boolean {
  return K8S_REGISTRIES.some((r) => name === `${r}/${path}`);
}

function config(c: Partial<ImageConfig>): ImageConfig {
  return { entrypoint: [], cmd: [], env: { PATH: DEFAULT_PATH }, workingDir: '/', ...c };
}

function rootfsAndConfig(name: string, tag: string): { rootfs: RootfsKind; config: ImageConfig } | undefined {
  if (name === 'busybox' || k8sImage(name, 'busybox') || k8sImage(name, 'e2e-test-images/busybox')) {
    return { rootfs: 'busybox', config: config({ cmd: ['sh'] }) };
  }
  if (name === 'curlimages/curl') {
    return { rootfs: 'curl', config: config({ entrypoint: ['/entrypoint.sh'], cmd: ['curl'] }) };
  }
  if (name === 'radial/busyboxplus' && tag.startsWith('curl')) {
    return { rootfs: 'curl', config: config({ cmd: ['/bin/sh'] }) };
  }
  if (
    k8sImage(name, 'e2e-test-images/jessie-dnsutils') ||
    name === 'gcr.io/kubernetes-e2e-test-images/dnsutils' ||
    k8sImage(name, 'e2e-test-images/dnsutils')
  ) {
    return { rootfs: 'dnsutils', config: config({ cmd: ['sh'] }) };
  }
  // kubectl images (bitnami's runs kubectl with --help by default, the upstream one kubectl alone).
  if (name === 'bitnami/kubectl') {
    return { rootfs: 'kubectl', config: config({ entrypoint: ['kubectl'], cmd: ['--help'] }) };
  }
  if (k8sImage(name, 'kubectl')) return { rootfs: 'kubectl', config: config({ entrypoint: ['/bin/kubectl'] }) };
  return undefined;
}

/** Emulated images whose `args` are the workload's own flags (agnhost subcommands), not a command line. */
const ARGS_FOR_WORKLOAD = ['e2e-test-images/agnhost', 'serve_hostname', 'e2e-test-images/serve-hostname'];

/**
 * Resolves a reference. `hasCommand`/`hasArgs` say whether the container sets `command`
 * or `args`: an image kemu only emulates (nginx, `myapp`) cannot run a foreign command
 * line, so that runs in the general-purpose busybox+curl image instead (args alone are a
 * command line too, as `kubectl run IMAGE -- CMD` writes them, except for agnhost-like
 * images whose args are the workload's subcommand).
 */
export function imageDefinition(
  reference: string,
  options: { hasCommand?: boolean; hasArgs?: boolean } = {},
): ImageDefinition {
  const { name, tag } = parseImageReference(reference);
  const known = rootfsAndConfig(name, tag);
  if (known) return { reference, name, tag, ...known };
  const argsForWorkload = ARGS_FOR_WORKLOAD.some((p) => k8sImage(name, p));
  if (options.hasCommand || (options.hasArgs && !argsForWorkload)) {
    return { reference, name, tag, rootfs: 'curl', config: config({ cmd: ['/bin/sh'] }) };
  }
  return { reference, name, tag, rootfs: 'workload', config: config({ entrypoint: WORKLOAD_ENTRYPOINT }) };
}

/**
 * The argv of a container as Kubernetes computes it: `command` replaces the entrypoint
 * (and drops the image's cmd), `args` replaces the cmd.
 */
export function containerArgv(image: ImageConfig, command?: readonly string[], args?: readonly string[]): string[] {
  const hasCommand = command !== undefined && command.length > 0;
  const hasArgs = args !== undefined && args.length > 0;
  if (hasCommand) return [...command, ...(hasArgs ? args : [])];
  return [...image.entrypoint, ...(hasArgs ? args : image.cmd)];
}

/** The environment of a container: the image's env, overridden by the container's. */
export function containerEnvironment(image: ImageConfig, env: Record<string, string>): Record<string, string> {
  return { ...image.env, ...env };
}
