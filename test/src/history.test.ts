/**
 * Looking back over the event log of a real cluster: a Service with 3 pods, one pod
 * deleted (the fault) and then created again, and afterwards `kemu events` tells the
 * story in order while `kemu replay --at` serves the cluster as it was before and inside
 * the fault to the real kubectl, refusing writes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, nextMillisecond } from '@kemu/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCommand } from './kemu-cluster.js';
import { useCluster } from './use-cluster.js';

const pod = (name: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: { app: web }
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: web
    image: nginx
    ports:
    - containerPort: 8080
`;

const manifest = `apiVersion: v1
kind: Service
metadata:
  name: web
  labels: { app: web }
spec:
  selector: { app: web }
  ports:
  - port: 80
    targetPort: 8080
---
${pod('web-1')}---
${pod('web-2')}---
${pod('web-3')}`;

interface JsonEntry {
  seq: number;
  time: string;
  actor: { component: string; node?: string };
  type: string;
  resource: string;
  namespace: string;
  name: string;
  uid: string;
  changes: string[];
}

interface Endpoints {
  metadata: { resourceVersion: string };
  subsets?: { addresses?: { ip: string }[] }[];
}

const ips = (ep: Endpoints) => (ep.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();

/** A running `kemu replay`: its kubeconfig and the line that says which moment it shows. */
interface Replay {
  child: ChildProcess;
  kubeconfig: string;
  banner: string;
  stop(): Promise<number | null>;
}

describe('kemu events and kemu replay', () => {
  let env: Record<string, string>;
  const replays: Replay[] = [];
  let web1Ip = '';
  let beforeSeq = 0;
  let beforeFault = '';
  let insideFault = '';
  let liveAfter: Endpoints;
  let follower: ChildProcess | undefined;
  let followed = '';

  async function endpoints(kubeconfig?: string): Promise<Endpoints> {
    const r = await runCommand('kubectl', ['get', 'endpoints', 'web', '-o', 'json'], {
      env: { KUBECONFIG: kubeconfig ?? join(cluster.stateDir, 'kubeconfig'), KUBECACHEDIR: join(cluster.home, 'kc') },
    });
    if (r.code !== 0) throw new Error(`kubectl get endpoints failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as Endpoints;
  }

  async function startReplay(at: string): Promise<Replay> {
    const child = spawn(join(repoRoot, 'kemu'), ['replay', '--at', at], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const replay: Replay = {
      child,
      kubeconfig: '',
      banner: '',
      async stop() {
        if (child.exitCode === null) child.kill('SIGINT');
        return exited;
      },
    };
    replays.push(replay);
    const kubeconfig = await eventually(
      () => {
        if (child.exitCode !== null) throw new Error(`kemu replay exited ${child.exitCode}: ${out}${err}`);
        return /^export KUBECONFIG=(.+)$/m.exec(out)?.[1];
      },
      { timeoutMs: 30_000, what: `kemu replay --at ${at} serving` },
    );
    replay.kubeconfig = kubeconfig;
    replay.banner = out.split('\n')[0] ?? '';
    return replay;
  }

  const cluster = useCluster({ name: 'hist', nodes: 2 });

  beforeAll(async () => {
    env = { KEMU_HOME: cluster.home, KEMU_CLUSTER: cluster.name };
    await cluster.kubectlOk(['apply', '-f', '-'], { input: manifest });
    const ready = await eventually(
      async () => {
        const ep = await endpoints();
        return ips(ep).length === 3 && ep;
      },
      { timeoutMs: 60_000, what: 'Endpoints web with 3 addresses' },
    );
    web1Ip = (await cluster.kubectlOk(['get', 'pod', 'web-1', '-o', 'jsonpath={.status.podIP}'])).trim();
    expect(ips(ready)).toContain(web1Ip);
    beforeSeq = Number(ready.metadata.resourceVersion);
    beforeFault = (await nextMillisecond()).toISOString();
    await nextMillisecond();

    // The fault: web-1 is deleted; its address leaves the Endpoints.
    await cluster.kubectlOk(['delete', 'pod', 'web-1', '--wait=false']);
    await eventually(async () => !ips(await endpoints()).includes(web1Ip) && ips(await endpoints()).length === 2, {
      timeoutMs: 30_000,
      what: 'web-1 out of the Endpoints',
    });
    await eventually(async () => (await cluster.kubectl(['get', 'pod', 'web-1'])).code !== 0, {
      timeoutMs: 30_000,
      what: 'web-1 gone',
    });
    insideFault = (await nextMillisecond()).toISOString();
    await nextMillisecond();

    // A follower of the live log from here on.
    follower = spawn(
      join(repoRoot, 'kemu'),
      ['events', '-f', '--since', insideFault, '--resource', 'po', '-o', 'json'],
      {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    follower.stdout?.on('data', (d: Buffer) => {
      followed += d.toString();
    });
    await new Promise((r) => setTimeout(r, 500));

    // The repair: web-1 again, so the live cluster no longer shows the fault.
    await cluster.kubectlOk(['apply', '-f', '-'], { input: pod('web-1') });
    liveAfter = await eventually(
      async () => {
        const ep = await endpoints();
        return ips(ep).length === 3 && ep;
      },
      { timeoutMs: 60_000, what: 'Endpoints web with 3 addresses again' },
    );
  });

  afterAll(async () => {
    if (follower && follower.exitCode === null) follower.kill('SIGKILL');
    for (const r of replays) await r.stop();
  });

  it('kemu events -o json tells the pod deletion and the endpoints change in order', async () => {
    const r = await cluster.kemu(['events', '--since', beforeFault, '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const entries = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as JsonEntry);
    expect(entries.length).toBeGreaterThan(3);
    expect(entries.every((e) => Date.parse(e.time) >= Date.parse(beforeFault))).toBe(true);
    expect(entries.map((e) => e.seq)).toEqual([...entries.map((e) => e.seq)].sort((a, b) => a - b));
    const terminating = entries.find(
      (e) => e.resource === 'pods' && e.name === 'web-1' && e.changes.includes('deletionTimestamp set'),
    );
    const removed = entries.find(
      (e) => e.resource === 'endpoints' && e.name === 'web' && e.changes.includes(`-${web1Ip}:8080`),
    );
    const deleted = entries.find((e) => e.resource === 'pods' && e.name === 'web-1' && e.type === 'DELETED');
    expect(terminating?.actor.component).toBe('apiserver');
    expect(removed?.type).toBe('MODIFIED');
    expect(removed?.actor.component).toBe('controller');
    expect(deleted).toBeDefined();
    expect(terminating?.seq).toBeLessThan(removed?.seq ?? 0);
    expect(terminating?.seq).toBeLessThan(deleted?.seq ?? 0);
    // The repair comes after, as an ADDED pod with a fresh uid.
    const readded = entries.find((e) => e.resource === 'pods' && e.name === 'web-1' && e.type === 'ADDED');
    expect(readded?.seq).toBeGreaterThan(deleted?.seq ?? Number.POSITIVE_INFINITY);
    expect(readded?.uid).not.toBe(deleted?.uid);
  });

  it('kemu events -f prints live events as they are written and stops on Ctrl-C', async () => {
    const added = await eventually(
      () =>
        followed
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as JsonEntry)
          .find((e) => e.name === 'web-1' && e.type === 'ADDED'),
      { timeoutMs: 10_000, what: 'the new web-1 in kemu events -f' },
    );
    expect(added.resource).toBe('pods');
    expect(Date.parse(added.time)).toBeGreaterThan(Date.parse(insideFault));
    const exited = new Promise<number | null>((resolve) => follower?.once('exit', (code) => resolve(code)));
    follower?.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('kemu events prints one human line per event and filters by labels and resources', async () => {
    const r = await cluster.kemu(['events', '--since', beforeFault, '-l', 'app=web', '--resource', 'endpoints']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(
      lines.every((l) =>
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z #\d+ +\S+ +(ADDED|MODIFIED|DELETED) +endpoints default\/web/.test(l),
      ),
    ).toBe(true);
    expect(lines.some((l) => l.includes(`-${web1Ip}:8080`))).toBe(true);
  });

  it('kemu replay --detach --at a moment inside the fault shows the endpoints as they were then', async () => {
    const r = await cluster.kemu(['replay', '--detach', '--at', insideFault]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^Replaying cluster \S+ at sequence \d+ \(\S+\), read-only, on https:\/\/127\.0\.0\.1:\d+$/m,
    );
    const kubeconfig = /^export KUBECONFIG=(.+)$/m.exec(r.stdout)?.[1] ?? '';
    const pid = Number(/kill (\d+)/.exec(r.stdout)?.[1]);
    const replay = { kubeconfig };
    const then = await endpoints(replay.kubeconfig);
    expect(ips(then)).toHaveLength(2);
    expect(ips(then)).not.toContain(web1Ip);
    expect(ips(liveAfter)).toHaveLength(3);
    const pods = await runCommand('kubectl', ['get', 'pods', '-o', 'name'], {
      env: { KUBECONFIG: replay.kubeconfig, KUBECACHEDIR: join(cluster.home, 'kc-replay') },
    });
    expect(pods.stdout.trim().split('\n').sort()).toEqual(['pod/web-2', 'pod/web-3']);
    process.kill(pid, 'SIGTERM');
    await eventually(() => !existsSync(kubeconfig), { timeoutMs: 10_000, what: 'the detached replay stopped' });
  });

  it('kemu replay --at seq:N before the fault shows all 3, and refuses kubectl apply', async () => {
    const replay = await startReplay(`seq:${beforeSeq}`);
    expect(replay.banner).toContain(`at sequence ${beforeSeq} `);
    const then = await endpoints(replay.kubeconfig);
    expect(ips(then)).toHaveLength(3);
    expect(ips(then)).toContain(web1Ip);
    const apply = await runCommand('kubectl', ['apply', '-f', '-'], {
      env: { KUBECONFIG: replay.kubeconfig, KUBECACHEDIR: join(cluster.home, 'kc-replay') },
      input: pod('web-4'),
    });
    expect(apply.code).not.toBe(0);
    expect(apply.stderr).toContain('MethodNotAllowed');
    expect(apply.stderr).toContain('read-only view');
    expect((await endpoints(replay.kubeconfig)).metadata.resourceVersion).toBe(then.metadata.resourceVersion);
    expect(await replay.stop()).toBe(0);
    expect(existsSync(replay.kubeconfig)).toBe(false);
  });
});
