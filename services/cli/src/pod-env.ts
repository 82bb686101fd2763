/**
 * The environment a command run by `kemu exec` sees: the environment of the container's
 * running process when there is one (so it has exactly what the node-agent gave the
 * container, service variables included), else the container's declared env values.
 */
import { netnsPids } from '@kemu/netns';
import { processEnv } from './cluster/processes.js';

/** The parts of a Pod that `kemu exec` reads. */
export interface PodForExec {
  metadata: { name: string; namespace?: string; uid: string };
  spec?: { nodeName?: string; containers?: { name: string; env?: { name: string; value?: string }[] }[] };
  status?: { phase?: string; podIP?: string; containerStatuses?: { name: string; containerID?: string }[] };
}

/** Environment declared by the container spec (plain values only) plus HOSTNAME. */
export function declaredEnv(pod: PodForExec, container: string): Record<string, string> {
  const env: Record<string, string> = { HOSTNAME: pod.metadata.name };
  const c = pod.spec?.containers?.find((x) => x.name === container);
  for (const e of c?.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
  return env;
}

/** Environment of the container's process inside the pod netns, or undefined when none runs. */
export async function runningContainerEnv(
  podNetns: string,
  container: string,
): Promise<Record<string, string> | undefined> {
  let pids: number[];
  try {
    pids = await netnsPids(podNetns);
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    const env = await processEnv(pid);
    if (env?.get('KEMU_CONTAINER_NAME') === container) return Object.fromEntries(env);
  }
  return undefined;
}
