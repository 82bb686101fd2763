/**
 * Picking up hollow pods after this process restarted (the supervisor restarts it like
 * any component): a hollow container has no process that could have died meanwhile, so a
 * container the log shows running is adopted as it was (pid 0, its start time, its
 * readiness), one that finished for good stays finished, and the others start again with
 * their restart count kept. The pod's sandbox is taken as existing once it was reported.
 */
import type { ContainerStatus, Pod } from '@kemu/api';
import type { ContainerInput, RestartPolicy, Termination } from '@kemu/lifecycle';

function termination(t: NonNullable<ContainerStatus['state']['terminated']>): Termination {
  return { ...t, reason: t.reason ?? (t.exitCode === 0 ? 'Completed' : 'Error'), finishedAt: t.finishedAt ?? '' };
}

/** How container `name` of a pod with `policy` resumes from its last published status. */
export function resumeHollowContainer(
  name: string,
  policy: RestartPolicy,
  status: ContainerStatus | undefined,
): ContainerInput {
  const base: ContainerInput = { name, restartPolicy: policy, restartCount: status?.restartCount ?? 0 };
  const last = status?.lastState?.terminated ? { lastTermination: termination(status.lastState.terminated) } : {};
  const running = status?.state?.running;
  if (running) {
    return { ...base, ...last, adopt: { pid: 0, startedAt: running.startedAt ?? '', ready: status?.ready === true } };
  }
  const done = status?.state?.terminated ? termination(status.state.terminated) : undefined;
  if (done && (policy === 'Never' || (policy === 'OnFailure' && done.exitCode === 0))) {
    return { ...base, ...last, terminated: done };
  }
  return { ...base, ...last };
}

/** The container inputs of a hollow pod as its last published status has them (all fresh for a new pod). */
export function resumeHollowPod(pod: Pod): { containers: ContainerInput[]; sandboxExists: boolean } {
  const policy = pod.spec.restartPolicy ?? 'Always';
  const statuses = new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
  return {
    containers: pod.spec.containers.map((c) => resumeHollowContainer(c.name, policy, statuses.get(c.name))),
    sandboxExists:
      pod.status?.conditions?.some((c) => c.type === 'PodReadyToStartContainers' && c.status === 'True') === true,
  };
}
