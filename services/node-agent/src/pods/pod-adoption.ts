/**
 * Picking up where a previous node-agent left off. A pod's published status names each
 * container's process (`containerID: kemu://<pid>`); if that pid still runs and its
 * environment carries the pod's uid and the container's name, it is adopted, not
 * restarted. A container that died unseen counts as an exit with unknown status, and
 * one that had finished for good stays finished.
 */
import type { ContainerStatus, Pod } from '@kemu/api';
import type { ContainerInput, RestartPolicy, Termination } from '@kemu/lifecycle';

/** Reads a process's environment; undefined when it is gone. */
export type EnvironReader = (pid: number) => Promise<Record<string, string> | undefined>;

/** The pid of a `kemu://<pid>` containerID. */
export function pidOf(containerID: string | undefined): number | undefined {
  const m = /^kemu:\/\/(\d+)$/.exec(containerID ?? '');
  return m ? Number(m[1]) : undefined;
}

function termination(t: NonNullable<ContainerStatus['state']['terminated']> | undefined): Termination | undefined {
  if (!t) return undefined;
  return { ...t, reason: t.reason ?? (t.exitCode === 0 ? 'Completed' : 'Error'), finishedAt: t.finishedAt ?? '' };
}

const staysDown = (policy: RestartPolicy, t: Termination) =>
  policy === 'Never' || (policy === 'OnFailure' && t.exitCode === 0);

/** Decides how one container resumes from its last published status; `alive` = its pid still runs as this container. */
export function resumeContainer(
  name: string,
  policy: RestartPolicy,
  status: ContainerStatus | undefined,
  alive: boolean,
): ContainerInput {
  const base: ContainerInput = { name, restartPolicy: policy };
  if (!status) return base;
  const restartCount = status.restartCount ?? 0;
  const last = termination(status.lastState?.terminated);
  const withLast = (i: ContainerInput): ContainerInput => (last ? { ...i, lastTermination: last } : i);
  const running = status.state?.running;
  const pid = pidOf(status.containerID);
  if (running && pid !== undefined) {
    const startedAt = running.startedAt ?? '';
    if (alive) return withLast({ ...base, restartCount, adopt: { pid, startedAt, ready: status.ready === true } });
    const lost: Termination = {
      exitCode: 137,
      reason: 'ContainerStatusUnknown',
      message: 'The container exited while the node-agent was away; its exit status is unknown',
      startedAt,
      finishedAt: new Date().toISOString(),
      containerID: status.containerID,
    };
    if (staysDown(policy, lost))
      return { ...base, restartCount, terminated: lost, ...(last ? { lastTermination: last } : {}) };
    return { ...base, restartCount: restartCount + 1, lastTermination: lost };
  }
  const done = termination(status.state?.terminated);
  if (done && staysDown(policy, done))
    return { ...base, restartCount, terminated: done, ...(last ? { lastTermination: last } : {}) };
  if (done) return { ...base, restartCount: restartCount + 1, lastTermination: done };
  if (last) return { ...base, restartCount: restartCount + 1, lastTermination: last };
  return { ...base, restartCount };
}

/** Whether a previous node-agent had created the pod's sandbox (PodReadyToStartContainers True). */
export function sandboxExisted(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'PodReadyToStartContainers' && c.status === 'True') === true;
}

/** Builds the container inputs of a pod found in the view when the agent starts (or a new pod). */
export async function resumePod(pod: Pod, readEnviron: EnvironReader): Promise<ContainerInput[]> {
  const policy = pod.spec.restartPolicy ?? 'Always';
  const statuses = new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
  return Promise.all(
    pod.spec.containers.map(async (c) => {
      const status = statuses.get(c.name);
      const pid = status?.state?.running ? pidOf(status.containerID) : undefined;
      const env = pid !== undefined ? await readEnviron(pid) : undefined;
      const alive = env?.KEMU_POD_UID === pod.metadata.uid && env?.KEMU_CONTAINER_NAME === c.name;
      return resumeContainer(c.name, policy, status, alive);
    }),
  );
}
