/**
 * Jobs and CronJobs end to end (issue 13, item 5): a real kemu cluster and the real
 * kubectl. A Job runs its completions with its parallelism, `kubectl wait
 * --for=condition=complete` and `kubectl logs job/NAME` work; a failing Job stops at
 * backoffLimit with Kubernetes' conditions and events. CronJobs run on a `*\/1` schedule
 * with the controller's clock 30 times faster (a minute every two seconds), keep their
 * history limits and honour Forbid and Replace.
 */
import { consistently, eventually, getJson, listJson } from '@kemu/testkit';
import { describe, expect, it } from 'vitest';
import { useCluster } from './use-cluster.js';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
interface JobJson {
  metadata: { name: string; ownerReferences?: { kind: string; name: string }[] };
  spec: { selector: { matchLabels: Record<string, string> } };
  status: { succeeded?: number; failed?: number; active?: number; conditions?: Condition[] };
}
interface PodJson {
  metadata: { name: string; labels?: Record<string, string> };
  status: { phase?: string };
}

const job = (name: string, script: string, extra: string) => `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
${extra}  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox
        command: ['sh', '-c', '${script}']
`;

const cronJob = (name: string, policy: string, script: string) => `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
spec:
  schedule: "*/1 * * * *"
  concurrencyPolicy: ${policy}
  successfulJobsHistoryLimit: 2
  jobTemplate:
    metadata:
      labels:
        cron: ${name}
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: main
            image: busybox
            command: ['sh', '-c', '${script}']
`;

describe('Jobs and CronJobs on a local cluster', () => {
  const cluster = useCluster({ name: 'jobs', nodes: 1, env: { KEMU_CRONJOB_TIME_SCALE: '30' } });

  it('runs a Job to its completions with its parallelism; kubectl wait and logs job/NAME work', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], {
      input: job('count', 'echo counted by $HOSTNAME', '  completions: 3\n  parallelism: 2\n'),
    });
    await cluster.kubectlOk(['wait', '--for=condition=complete', 'job/count', '--timeout=120s']);
    const j = await getJson<JobJson>(cluster, ['job', 'count']);
    expect(j.status).toMatchObject({ succeeded: 3, active: 0 });
    expect(j.status.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['SuccessCriteriaMet', 'True', 'CompletionsReached'],
      ['Complete', 'True', 'CompletionsReached'],
    ]);
    expect(Object.keys(j.spec.selector.matchLabels)).toEqual(['batch.kubernetes.io/controller-uid']);
    const pods = await listJson<PodJson>(cluster, ['pods', '-l', 'job-name=count']);
    expect(pods.map((p) => p.status.phase)).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
    for (const p of pods) expect(p.metadata.name).toMatch(/^count-[a-z0-9]{5}$/);
    const table = await cluster.kubectlOk(['get', 'job', 'count']);
    expect(table).toMatch(/NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE/);
    expect(table).toMatch(/count\s+Complete\s+3\/3\s+\d+s\s+\d+s/);
    expect(await cluster.kubectlOk(['logs', 'job/count'])).toMatch(/^counted by count-[a-z0-9]{5}\n$/);
    const described = await cluster.kubectlOk(['describe', 'job', 'count']);
    expect(described).toMatch(/Pods Statuses:\s+0 Active \(0 Ready\) \/ 3 Succeeded \/ 0 Failed/);
    expect(described).toMatch(/Normal\s+SuccessfulCreate\s+.*job-controller\s+Created pod: count-/);
    expect(described).toMatch(/Normal\s+Completed\s+.*job-controller\s+Job completed/);
  });

  it('runs an Indexed Job: each pod gets its completion index', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], {
      input: job(
        'idx',
        'echo index $JOB_COMPLETION_INDEX on $(hostname)',
        '  completionMode: Indexed\n  completions: 3\n  parallelism: 3\n',
      ),
    });
    await cluster.kubectlOk(['wait', '--for=condition=complete', 'job/idx', '--timeout=120s']);
    const j = await getJson<JobJson & { status: { completedIndexes?: string } }>(cluster, ['job', 'idx']);
    expect(j.status).toMatchObject({ succeeded: 3, completedIndexes: '0-2' });
    const pods = await listJson<PodJson>(cluster, ['pods', '-l', 'job-name=idx']);
    const logs = await Promise.all(pods.map((p) => cluster.kubectlOk(['logs', p.metadata.name])));
    expect(logs.sort()).toEqual(['index 0 on idx-0\n', 'index 1 on idx-1\n', 'index 2 on idx-2\n']);
  });

  it('fails a Job whose pods keep failing once backoffLimit is passed', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: job('broken', 'exit 3', '  backoffLimit: 1\n') });
    await cluster.kubectlOk(['wait', '--for=condition=failed', 'job/broken', '--timeout=120s']);
    const j = await getJson<JobJson>(cluster, ['job', 'broken']);
    expect(j.status).toMatchObject({ failed: 2, active: 0 });
    expect(j.status.conditions?.map((c) => [c.type, c.reason, c.message])).toEqual([
      ['FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
      ['Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
    ]);
    expect(await cluster.kubectlOk(['get', 'job', 'broken'])).toMatch(/broken\s+Failed\s+0\/1\s/);
    const events = await cluster.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.name=broken']);
    expect(events).toMatch(
      /Warning\s+BackoffLimitExceeded\s+job\/broken\s+Job has reached the specified backoff limit/,
    );
  });

  it('suspends a Job without pods and resumes it', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: job('later', 'echo resumed', '  suspend: true\n') });
    await eventually(async () => /later\s+Suspended\s+0\/1\s/.test(await cluster.kubectlOk(['get', 'job', 'later'])), {
      timeoutMs: 20_000,
      what: 'the Job Suspended',
    });
    expect(await listJson<PodJson>(cluster, ['pods', '-l', 'job-name=later'])).toEqual([]);
    await cluster.kubectlOk(['patch', 'job', 'later', '-p', '{"spec":{"suspend":false}}']);
    await cluster.kubectlOk(['wait', '--for=condition=complete', 'job/later', '--timeout=60s']);
    const j = await getJson<JobJson>(cluster, ['job', 'later']);
    expect(j.status.conditions?.find((c) => c.type === 'Suspended')).toMatchObject({
      status: 'False',
      reason: 'JobResumed',
    });
  });

  it('refuses a Job whose pods would restart Always', async () => {
    const r = await cluster.kubectl(['apply', '-f', '-'], {
      input: job('bad', 'true', '').replace('restartPolicy: Never', 'restartPolicy: Always'),
    });
    expect(r.stderr).toMatch(
      /The Job "bad" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"/,
    );
  });

  it('runs a CronJob every (scaled) minute and keeps successfulJobsHistoryLimit Jobs', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: cronJob('tick', 'Allow', 'echo tick') });
    const created = await eventually(
      async () => {
        const events = await cluster.kubectlOk([
          'get',
          'events',
          '--field-selector',
          'involvedObject.name=tick,reason=SuccessfulCreate',
          '-o',
          'json',
        ]);
        const n = (JSON.parse(events) as { items: { count?: number }[] }).items.reduce((a, e) => a + (e.count ?? 1), 0);
        return n >= 4 ? n : undefined;
      },
      { timeoutMs: 90_000, what: 'four Jobs created by the CronJob' },
    );
    expect(created).toBeGreaterThanOrEqual(4);
    await eventually(
      async () => {
        const jobs = await listJson<JobJson>(cluster, ['jobs', '-l', 'cron=tick']);
        const done = jobs.filter((j) => j.status.conditions?.some((c) => c.type === 'Complete'));
        return done.length === 2 && jobs.length <= 3;
      },
      { timeoutMs: 30_000, what: 'two complete Jobs kept' },
    );
    const jobs = await listJson<JobJson>(cluster, ['jobs', '-l', 'cron=tick']);
    for (const j of jobs) {
      expect(j.metadata.name).toMatch(/^tick-\d{8}$/);
      expect(j.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'CronJob', name: 'tick' });
    }
    const table = await cluster.kubectlOk(['get', 'cronjob', 'tick']);
    expect(table).toMatch(/NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE/);
    expect(table).toMatch(/tick\s+\*\/1 \* \* \* \*\s+<none>\s+False\s+[01]\s/);
    const cj = await getJson<{ status: { lastScheduleTime?: string; lastSuccessfulTime?: string } }>(cluster, [
      'cronjob',
      'tick',
    ]);
    expect(cj.status.lastScheduleTime).toBeDefined();
    expect(cj.status.lastSuccessfulTime).toBeDefined();
    await cluster.kubectlOk(['delete', 'cronjob', 'tick']);
  });

  it('does not start a second Job under Forbid, and replaces the running one under Replace', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: cronJob('single', 'Forbid', 'sleep 3600') });
    await cluster.kubectlOk(['apply', '-f', '-'], { input: cronJob('fresh', 'Replace', 'sleep 3600') });
    const firstFresh = await eventually(
      async () => (await listJson<JobJson>(cluster, ['jobs', '-l', 'cron=fresh']))[0]?.metadata.name,
      { timeoutMs: 30_000, what: 'a first Job of fresh' },
    );
    await eventually(
      async () => {
        const jobs = await listJson<JobJson>(cluster, ['jobs', '-l', 'cron=fresh']);
        return jobs.length === 1 && jobs[0]?.metadata.name !== firstFresh;
      },
      { timeoutMs: 30_000, what: 'the Replace CronJob to replace its Job' },
    );
    // Six scaled minutes: Forbid keeps the one running Job.
    await consistently(async () => (await listJson<JobJson>(cluster, ['jobs', '-l', 'cron=single'])).length === 1, {
      forMs: 12_000,
      everyMs: 1_000,
      what: 'one Job of the Forbid CronJob',
    });
    const fresh = await listJson<JobJson>(cluster, ['jobs', '-l', 'cron=fresh']);
    expect(fresh).toHaveLength(1);
    const deleted = await cluster.kubectlOk([
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=fresh,reason=SuccessfulDelete',
    ]);
    expect(deleted).toMatch(/Deleted job fresh-\d+/);
  });
});
