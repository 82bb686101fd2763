/**
 * The fallback runtime, for a machine where runc cannot run containers (a compose node
 * container without the privileges, a host without runc): pods run as plain processes
 * as before containers, behind the same NodeContainers interface. A container's command
 * line runs in the pod netns with the pod's hostname in a UTS namespace of its own
 * (busybox commands as applets of the host's busybox, curl's args after `curl`); an
 * emulated image runs the workload with the host's node. Execs enter the pod netns.
 */
import { imageDefinition, parseImageReference } from '@kemu/containers';
import type { Logger } from '@kemu/log';
import { type ContainerLaunch, type VolumeBind, commandShape } from './container-launch.js';
import type { NodeContainers } from './node-containers.js';
import { startProcess } from './process-runner.js';

/**
 * Runs `command` in a UTS namespace of its own named `hostname`; `exec` keeps the pid.
 * With binds, a private mount namespace too (`ip netns exec` already made / rslave), in
 * which the pod's ConfigMap, Secret and ServiceAccount directories are bound read-only.
 */
export function inOwnUts(hostname: string, command: string[], binds: VolumeBind[] = []): string[] {
  if (binds.length === 0)
    return ['unshare', '--uts', 'sh', '-c', 'hostname "$0" 2>/dev/null; exec "$@"', hostname, ...command];
  const script = binds
    .map(
      (m) =>
        // A file (a subPath key) is bound onto a file, a directory onto a directory.
        `{ if [ -d ${shellQuote(m.source)} ]; then mkdir -p ${shellQuote(m.mountPath)}; else mkdir -p "$(dirname ${shellQuote(m.mountPath)})" && touch ${shellQuote(m.mountPath)}; fi; } && mount --bind -o ro ${shellQuote(m.source)} ${shellQuote(m.mountPath)} || exit 1; `,
    )
    .join('');
  return [
    'unshare',
    '--uts',
    '--mount',
    'sh',
    '-c',
    `${script}hostname "$0" 2>/dev/null; exec "$@"`,
    hostname,
    ...command,
  ];
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, "'\\''")}'`;
}

/** The host command line of a container run as a process. */
export function processArgv(launch: ContainerLaunch, o: { workloadEntry: string; nodeBinary: string }): string[] {
  const netns = launch.netnsPath.split('/').pop() ?? '';
  const inPod = ['ip', 'netns', 'exec', netns];
  const image = imageDefinition(launch.image, commandShape(launch));
  if (image.rootfs === 'workload') {
    return [
      ...inPod,
      ...inOwnUts(launch.hostname, [o.nodeBinary, o.workloadEntry, ...(launch.args ?? [])], launch.binds),
    ];
  }
  const line = launch.command
    ? [...launch.command, ...(launch.args ?? [])]
    : parseImageReference(launch.image).name === 'curlimages/curl'
      ? ['curl', ...(launch.args ?? [])]
      : (launch.args ?? image.config.cmd);
  const multicall = image.rootfs === 'busybox' ? ['busybox'] : [];
  const stdin = launch.stdinPath ? ['sh', '-c', 'exec "$@" <"$0"', launch.stdinPath] : [];
  return [...inPod, ...inOwnUts(launch.hostname, [...stdin, ...multicall, ...line], launch.binds)];
}

/** Creates the process runtime (the node-agent's runtime before containers). */
export function createProcessContainers(o: {
  workloadEntry: string;
  nodeBinary: string;
  path: string;
  log: Logger;
}): NodeContainers {
  return {
    async start(_pod, launch, run) {
      const argv = processArgv(launch, o);
      return startProcess({ argv, env: { PATH: o.path, ...launch.env }, logPath: run.logPath });
    },
    adopt: async () => undefined,
    enter: () => undefined,
    rootfs: () => undefined,
    sweep: async () => 0,
    removePod: async () => undefined,
  };
}
