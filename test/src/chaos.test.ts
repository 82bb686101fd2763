/**
 * Chaos experiments end to end (issue 6, part 1): a real 3-node cluster, 3 `web`
 * replicas of a Deployment and `kemu chaos run` with its steady-state probe at 50
 * requests/s from a client pod through the ClusterIP. Pod-kill every 5 s for 60 s keeps
 * ≥ 99.9 % success and every killed endpoint leaves every proxy; killing each component
 * in turn leaves objects and resourceVersions unchanged; a 20 s partition takes node-3's
 * pods out of the endpoints after the grace period and brings the same pods back.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually, getJson } from '@kemu/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCommand } from './kemu-cluster.js';
import { PROXY_MODES } from './proxy-modes.js';
import { useCluster } from './use-cluster.js';

interface Report {
  verdict: string;
  probe: {
    sent: number;
    succeeded: number;
    failed: number;
    failedByCause: Record<string, number>;
    successPercent: number;
    latencyMs: { p99: number };
  };
  faults: {
    action: string;
    target: string;
    pod?: { name: string; ip?: string };
    log: { before: number; start: number; end: number | null; replayAt: number };
    recoveryMs: number | null;
    undone?: string;
    endpointLeftProxyMs?: Record<string, number | null>;
  }[];
  undone: string[];
  endpointsLeftEveryProxy: boolean | null;
  timeline: { at: string; source: string; seq?: number; object: string; what: string }[];
  errors: string[];
}

interface PodJson {
  metadata: { name: string; uid: string; resourceVersion: string };
  spec: { nodeName?: string };
  status: { podIP?: string; conditions?: { type: string; status: string }[] };
}

describe.each(PROXY_MODES)('kemu chaos on a local 3-node cluster (%s proxy mode)', (proxyMode) => {
  const cluster = useCluster({
    name: 'chao',
    nodes: 3,
    proxyMode,
    env: { KEMU_NODE_HEARTBEAT_SECONDS: '1', KEMU_NODE_GRACE_SECONDS: '6', KEMU_POD_EVICTION_SECONDS: '120' },
  });

  beforeAll(async () => {
    const web = await readFile(join(repoRoot, 'infra/chaos/web.yaml'), 'utf8');
    // The kernel does not retry a refused connection on another endpoint as the userspace
    // proxier does: in nftables mode a pod must keep serving until its endpoint has left
    // every node's rules, which Kubernetes users get with a preStop sleep (as here).
    const manifest =
      proxyMode === 'nftables'
        ? web.replace(
            '          ports:\n            - containerPort: 8080\n',
            '          ports:\n            - containerPort: 8080\n          lifecycle:\n            preStop:\n              sleep: { seconds: 2 }\n',
          )
        : web;
    expect(proxyMode === 'userspace' || manifest.includes('preStop')).toBe(true);
    await cluster.kubectlOk(['apply', '-f', '-'], { input: manifest });
    await eventually(async () => (await readyWebPods()).length === 3, { timeoutMs: 30_000, what: '3 Ready web pods' });
  });

  interface SliceJson {
    metadata: { labels?: Record<string, string> };
    endpoints?: { addresses: string[]; conditions?: { ready?: boolean; terminating?: boolean } }[];
  }

  /** Starts `kemu replay --detach --at seq:N`; returns the web Service's ready and terminating slice addresses then. */
  async function webEndpointsAt(seq: number): Promise<{ ready: string[]; terminating: string[] }> {
    const r = await cluster.kemu(['replay', '--detach', '--at', `seq:${seq}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`at sequence ${seq} `);
    const kubeconfig = /^export KUBECONFIG=(.+)$/m.exec(r.stdout)?.[1] ?? '';
    const pid = Number(/kill (\d+)/.exec(r.stdout)?.[1]);
    try {
      const out = await runCommand(
        'kubectl',
        ['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'json'],
        { env: { KUBECONFIG: kubeconfig, KUBECACHEDIR: join(cluster.home, 'kc-replay') } },
      );
      expect(out.code, out.stderr).toBe(0);
      const eps = (JSON.parse(out.stdout) as { items: SliceJson[] }).items.flatMap((s) => s.endpoints ?? []);
      const pick = (f: (c: { ready?: boolean; terminating?: boolean }) => boolean) =>
        eps.filter((e) => f(e.conditions ?? {})).flatMap((e) => e.addresses);
      return { ready: pick((c) => c.ready !== false), terminating: pick((c) => c.terminating === true) };
    } finally {
      process.kill(pid, 'SIGTERM');
      await eventually(() => !existsSync(kubeconfig), { timeoutMs: 10_000, what: `replay ${pid} stopped` });
    }
  }

  async function webPods(): Promise<PodJson[]> {
    return (await getJson<{ items: PodJson[] }>(cluster, ['pods', '-l', 'app=web'])).items;
  }

  async function readyWebPods(): Promise<PodJson[]> {
    return (await webPods()).filter((p) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  }

  async function runExperiment(
    file: string,
    extra: string[] = [],
  ): Promise<{ code: number; report: Report; text: string }> {
    const reportFile = join(cluster.home, `report-${Date.now()}.json`);
    const r = await cluster.kemu(['chaos', 'run', file, '--report', reportFile, ...extra], { timeoutMs: 150_000 });
    if (r.stderr.includes('error:')) throw new Error(`kemu chaos run failed (${r.code}): ${r.stderr}`);
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as Report;
    return { code: r.code, report, text: r.stdout };
  }

  /** Every object of the default namespace that chaos must not change, with its resourceVersion. */
  async function objectVersions(): Promise<string[]> {
    const out = await cluster.kubectlOk([
      'get',
      'deployments,replicasets,pods,services,endpoints,endpointslices',
      '-o',
      'json',
    ]);
    const items = (
      JSON.parse(out) as { items: { kind: string; metadata: { name: string; resourceVersion: string } }[] }
    ).items;
    return items
      .filter((o) => o.metadata.name !== 'chaos-probe')
      .map((o) => `${o.kind}/${o.metadata.name}@${o.metadata.resourceVersion}`)
      .sort();
  }

  it('keeps >= 99.9 % of 50 req/s while one of 3 web pods is deleted every 5 s for 60 s', async () => {
    const { code, report, text } = await runExperiment(join(repoRoot, 'infra/chaos/pod-kill.yaml'));
    console.log(text.split('\ntimeline')[0]);
    expect(report.errors).toEqual([]);
    expect(report.faults).toHaveLength(12);
    expect(report.probe.sent).toBeGreaterThanOrEqual(50 * 60);
    expect(report.probe.successPercent).toBeGreaterThanOrEqual(99.9);
    expect(report.verdict).toBe('Pass');
    expect(code).toBe(0);
    expect(text).toContain('verdict: Pass');
    expect(report.endpointsLeftEveryProxy).toBe(true);
    for (const f of report.faults) {
      expect(Object.keys(f.endpointLeftProxyMs ?? {})).toEqual(['node-1', 'node-2', 'node-3']);
      for (const ms of Object.values(f.endpointLeftProxyMs ?? {})) expect(ms).not.toBeNull();
      expect(f.recoveryMs).not.toBeNull();
    }
    // The cluster's side of the timeline, with stream sequences: deletes and replacements.
    const cluster_ = report.timeline.filter((t) => t.source === 'cluster');
    expect(cluster_.filter((t) => t.what.startsWith('deleted')).length).toBeGreaterThanOrEqual(11);
    expect(cluster_.filter((t) => t.what.startsWith('ready endpoints')).length).toBeGreaterThanOrEqual(12);
    expect(cluster_.every((t) => typeof t.seq === 'number' && t.seq > 0)).toBe(true);
    // Each fault names its log sequences, and a ready replay command for a moment inside it.
    for (const f of report.faults) {
      expect(f.log.before).toBeLessThan(f.log.start);
      expect(f.log.replayAt).toBeGreaterThan(f.log.before);
      expect(text).toContain(`kemu replay --at seq:${f.log.replayAt}`);
    }
    // Acceptance of #6: replay at a moment inside a fault shows the endpoints as they were then.
    const fault = report.faults[0];
    const killedIp = fault?.pod?.ip ?? '';
    expect(killedIp).not.toBe('');
    const before = await webEndpointsAt(fault?.log.before ?? 0);
    expect(before.ready).toHaveLength(3);
    expect(before.ready).toContain(killedIp);
    const inside = await webEndpointsAt(fault?.log.replayAt ?? 0);
    expect(inside.ready).not.toContain(killedIp);
    expect(inside.ready.length).toBeGreaterThanOrEqual(2);
    await eventually(async () => (await readyWebPods()).length === 3, { timeoutMs: 20_000, what: '3 Ready web pods' });
  });

  it('leaves objects and resourceVersions unchanged when each component is killed in turn under load', async () => {
    await eventually(async () => (await readyWebPods()).length === 3, { timeoutMs: 20_000, what: '3 Ready web pods' });
    const before = await objectVersions();
    // [component, nodes, threshold, warmup]
    const targets: [string, string[], number, string][] = [
      ['apiserver', [], 99.9, '1s'],
      ['controller', [], 99.9, '1s'],
      ['node-agent', ['node-1'], 99.9, '1s'],
      // Every dns instance, killed 4.5 s in: the probe's cached answer (TTL 5 s) runs out
      // while both are down, so its next lookup fails and the kill shows in the numbers.
      ['dns', [], 50, '4.5s'],
      // The probe's own node proxy: connections are refused until it is back (userspace data
      // path), about 1 s to the restart and up to 2 s after it, of a 5 s window.
      ['proxy', ['node-1'], 25, '1s'],
    ];
    // One kill each (the schedule's single tick, at the end of the warmup), probed until 3 s after the kill window
    // (8 s for dns: through kernel DNAT the probe's lookups recovered 0.8-2.6 s after the restarts here, and
    // not within 5 s once at load average 14).
    for (const [component, nodes, threshold, warmup] of targets) {
      const file = join(cluster.home, `kill-${component}.yaml`);
      await writeFile(
        file,
        `apiVersion: chaos.kemu.dev/v1alpha1
kind: ProcessChaos
metadata:
  name: kill-${component}
spec:
  action: component-kill
  mode: all
  selector:
    components: [${component}]
    nodes: [${nodes.join(', ')}]
  schedule:
    every: 1s
    duration: 1s
  steadyState:
    url: http://web/
    rate: 50
    warmup: ${warmup}
    cooldown: ${component === 'dns' ? '8s' : '3s'}
    successThreshold: ${threshold}
`,
      );
      const { code, report } = await runExperiment(file);
      const f = report.faults[0];
      console.log(
        `${component}: success ${report.probe.successPercent}%, failed ${report.probe.failed} ${JSON.stringify(report.probe.failedByCause)}, ${report.faults.map((x) => `${x.target} ${x.undone}, recovered ${x.recoveryMs} ms after restart`).join('; ')}`,
      );
      expect(report.errors).toEqual([]);
      expect(report.faults).toHaveLength(component === 'dns' ? 2 : 1);
      for (const x of report.faults) expect(x.undone).toMatch(/^restarted by the supervisor/);
      expect(code).toBe(0);
      if (component === 'proxy') expect(f?.recoveryMs).toBeLessThanOrEqual(2_000);
      if (component === 'dns') {
        // Whether a lookup fails depends on the probe's cached answer (TTL 5 s) expiring inside
        // the ~1 s outage, so failures are not asserted; any that happen must be DNS ones.
        for (const cause of Object.keys(report.probe.failedByCause)) expect(cause).toMatch(/^dns-/);
        for (const x of report.faults) expect(x.recoveryMs).not.toBeNull();
      }
    }
    // Nothing was rewritten: a restarted node-agent adopts its pods (no restart, same status).
    expect(await objectVersions()).toEqual(before);
  });

  it('takes node-3 pods out of the endpoints after the grace period of a 20 s partition, without duplicate pods', async () => {
    await eventually(async () => (await readyWebPods()).length === 3, { timeoutMs: 20_000, what: '3 Ready web pods' });
    // Make sure node-3 holds a web pod (pod-kill moved them around).
    let pods = await readyWebPods();
    if (!pods.some((p) => p.spec.nodeName === 'node-3')) {
      const victim = pods.find((p) => pods.filter((q) => q.spec.nodeName === p.spec.nodeName).length > 1);
      await cluster.kubectlOk(['delete', 'pod', victim?.metadata.name ?? '', '--wait=false']);
      await eventually(
        async () => {
          pods = await readyWebPods();
          return pods.length === 3 && pods.some((p) => p.spec.nodeName === 'node-3');
        },
        { timeoutMs: 30_000, what: 'a web pod on node-3' },
      );
    }
    const onNode3 = pods.filter((p) => p.spec.nodeName === 'node-3');
    const ips = onNode3.map((p) => p.status.podIP ?? '');
    const { report, text } = await runExperiment(join(repoRoot, 'infra/chaos/partition.yaml'));
    console.log(text);
    expect(report.errors).toEqual([]);
    expect(report.undone).toHaveLength(1);
    expect(report.undone[0]).toContain('set n-3 up');
    const at = (what: string, object?: string) =>
      report.timeline.find((t) => t.what.startsWith(what) && (object === undefined || t.object === object));
    const injected = Date.parse(at('partition injected')?.at ?? '');
    const healed = Date.parse(at('set n-3 up')?.at ?? '');
    // Node-3 goes NotReady after the grace period (6 s here) and its pods leave the endpoints.
    const notReady = Date.parse(at('NotReady', 'node node-3')?.at ?? '');
    expect(notReady - injected).toBeGreaterThanOrEqual(5_000);
    expect(notReady - injected).toBeLessThanOrEqual(6_000 + 3_000);
    const slices = report.timeline.filter((t) => t.source === 'cluster' && t.what.startsWith('ready endpoints'));
    const without = slices.find((t) => Date.parse(t.at) >= notReady && ips.every((ip) => !t.what.includes(ip)));
    expect(without, 'node-3 pods left the endpoints').toBeDefined();
    for (const p of onNode3) expect(at('NotReady', `pod default/${p.metadata.name}`)).toBeDefined();
    // After the heal the node-agent reconnects and node-3 is Ready again before the cooldown ends.
    const ready = report.timeline.find((t) => t.object === 'node node-3' && t.what.startsWith('Ready'));
    expect(ready, 'node-3 Ready again after the heal').toBeDefined();
    expect(Date.parse(ready?.at ?? '')).toBeGreaterThan(healed);
    // No eviction (toleration 120 s) and no duplicates: the same 3 pods, node-3's among them.
    const after = await webPods();
    expect(after).toHaveLength(3);
    expect(new Set(after.map((p) => p.metadata.name)).size).toBe(3);
    for (const p of onNode3) expect(after.map((a) => a.metadata.uid)).toContain(p.metadata.uid);
    // And they come back: the node-agent publishes their real status again after the heal,
    // so the same pods are Ready and in the endpoints (the controller had set Ready=False).
    await eventually(
      async () => {
        const ready = (await readyWebPods()).map((p) => p.metadata.uid);
        const addresses = (
          await cluster.kubectlOk(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].addresses[*].ip}'])
        ).split(' ');
        return onNode3.every((p) => ready.includes(p.metadata.uid)) && ips.every((ip) => addresses.includes(ip));
      },
      { timeoutMs: 15_000, what: "node-3's pods Ready and back in the endpoints after the heal" },
    );
  });

  it('undoes a fault on SIGINT, and after kill -9 of the runner with kemu chaos recover', async () => {
    const env = { ...process.env, KEMU_HOME: cluster.home, KEMU_CLUSTER: cluster.name };
    const linkState = async () =>
      (await runCommand('ip', ['-n', `kemu-${cluster.name}-ul`, '-o', 'link', 'show', 'n-2'])).stdout.includes(
        'state UP',
      );
    const journal = join(cluster.stateDir, 'chaos-undo.json');
    const start = () => {
      const child = spawn(join(repoRoot, 'kemu'), ['chaos', 'partition', '--node', '2', '--for', '60s'], { env });
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
      });
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      return { child, exited, out: () => out };
    };

    const first = start();
    await eventually(async () => !(await linkState()), { timeoutMs: 10_000, what: 'n-2 down' });
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(130);
    expect(first.out()).toContain('set n-2 up');
    expect(await linkState()).toBe(true);
    expect(JSON.parse(await readFile(journal, 'utf8'))).toEqual([]);

    const second = start();
    await eventually(async () => !(await linkState()), { timeoutMs: 10_000, what: 'n-2 down' });
    second.child.kill('SIGKILL');
    await second.exited;
    expect(await linkState()).toBe(false);
    expect(JSON.parse(await readFile(journal, 'utf8'))).toHaveLength(1);
    const recover = await cluster.kemu(['chaos', 'recover']);
    expect(recover.code).toBe(0);
    expect(recover.stdout).toContain('set n-2 up');
    expect(await linkState()).toBe(true);
    expect(JSON.parse(await readFile(journal, 'utf8'))).toEqual([]);
  });

  it('injects one-off loss on a node and undoes it; refuses latency without a real means', async () => {
    const rules = async () =>
      (await runCommand('ip', ['netns', 'exec', `kemu-${cluster.name}-node-3`, 'iptables', '-S'])).stdout
        .split('\n')
        .filter((l) => l.includes('kemu-chaos-')).length +
      (
        await runCommand('ip', ['netns', 'exec', `kemu-${cluster.name}-node-3`, 'tc', 'qdisc', 'show', 'dev', 'eth0'])
      ).stdout
        .split('\n')
        .filter((l) => l.includes('netem')).length;
    const loss = cluster.kemu(['chaos', 'loss', '--node', '3', '--percent', '30', '--for', '2s']);
    await eventually(async () => (await rules()) > 0, { timeoutMs: 5_000, what: 'loss injected on node-3' });
    const r = await loss;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^loss: node-3 eth0 (loss 30% \(iptables statistic|netem loss 30%)/m);
    expect(r.stdout).toMatch(/node-3 eth0 .*: (removed 4 iptables rule\(s\)|removed the qdisc)/);
    expect(await rules()).toBe(0);
    const latency = await cluster.kemu(['chaos', 'latency', '--node', '3', '--delay', '100ms', '--for', '1s']);
    if (r.stdout.includes('iptables statistic')) {
      // No sch_netem on this machine: refused before anything is touched (exit 3).
      expect(latency.code).toBe(3);
      expect(latency.stderr).toContain('cannot inject latency on this machine');
    } else {
      expect(latency.code, latency.stderr).toBe(0);
      expect(latency.stdout).toContain('netem delay 100ms');
    }
    expect(await rules()).toBe(0);
  });
});
