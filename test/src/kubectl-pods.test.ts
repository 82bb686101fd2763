/**
 * kubectl logs, exec and run -it against a real 3-node kemu cluster with the real
 * kubectl: logs (tail, timestamps, follow, previous, label selectors, kube-system mirror
 * pods) come from the node-agents' log files, exec runs inside the pod's network
 * namespace with its environment over WebSocket v5, and `run -it --rm` attaches, takes
 * the exit code from the pod status and deletes the pod.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { eventually, getJson } from '@kemu/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCommand } from './kemu-cluster.js';
import { useCluster } from './use-cluster.js';

const webYaml = join(repoRoot, 'infra/examples/web.yaml');
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,9}Z /;

interface PodJson {
  metadata: { name: string };
  spec: { nodeName?: string };
  status: {
    podIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { containerID?: string; restartCount: number; state?: { running?: object } }[];
  };
}

describe('kubectl logs, exec and run -it', () => {
  let clusterIP = '';
  const podIPs: Record<string, string> = {};
  let kubectlEnv: Record<string, string>;

  async function pod(name: string): Promise<PodJson> {
    return await getJson<PodJson>(cluster, ['pod', name]);
  }

  /** curl from the client pod through kubectl exec. */
  async function curlFromClient(url: string, flags: string[] = []): Promise<string> {
    return cluster.kubectlOk(['exec', 'client', '--', 'curl', '-sS', '-m', '5', ...flags, url]);
  }

  const cluster = useCluster({ name: 'pods', nodes: 3 });

  beforeAll(async () => {
    kubectlEnv = { KUBECONFIG: join(cluster.stateDir, 'kubeconfig'), KUBECACHEDIR: join(cluster.home, 'kube-cache') };
    await cluster.kubectlOk(['apply', '-f', webYaml]);
    const names = ['web-pod-1', 'web-pod-2', 'web-pod-3', 'client'];
    await eventually(
      async () => {
        const list = await getJson<{ items: PodJson[] }>(cluster, ['pods']);
        const ready = list.items.filter(
          (p) =>
            names.includes(p.metadata.name) &&
            p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        );
        for (const p of ready) podIPs[p.metadata.name] = p.status.podIP ?? '';
        return ready.length === names.length;
      },
      { timeoutMs: 60_000, what: 'the web pods and the client Ready' },
    );
    clusterIP = (await cluster.kubectlOk(['get', 'svc', 'web-service', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  });

  it('runs exec inside the pod: curl of the ClusterIP, its own IP, its env', async () => {
    const reply = JSON.parse(await curlFromClient(`http://${clusterIP}/api`)) as { pod: string; path: string };
    expect(reply.pod).toMatch(/^web-pod-[123]$/);
    expect(reply.path).toBe('/api');

    const addr = await cluster.kubectlOk(['exec', 'client', '--', 'ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0']);
    expect(addr).toContain(`inet ${podIPs.client}/`);

    const env = await cluster.kubectlOk(['exec', 'client', '--', 'env']);
    expect(env).toMatch(/^HOSTNAME=client$/m);
    expect(env).toMatch(/^KUBERNETES_SERVICE_HOST=10\.96\.0\.1$/m);
    expect(env).toMatch(/^KEMU_POD_NAME=client$/m);
    expect((await cluster.kubectlOk(['exec', 'client', '--', 'hostname'])).trim()).toBe('client');
    // The kubernetes Service (10.96.0.1:443) reaches the apiserver from pods, by name.
    const version = await curlFromClient('https://kubernetes.default.svc/version', ['-k']);
    expect(JSON.parse(version)).toMatchObject({ major: '1', minor: '32' });
  });

  it('passes exit codes, stdout and stderr apart, and stdin until EOF', async () => {
    const exit3 = await cluster.kubectl(['exec', 'client', '--', 'sh', '-c', 'exit 3']);
    expect(exit3.code).toBe(3);
    expect(exit3.stderr).toContain('command terminated with exit code 3');

    const split = await cluster.kubectl(['exec', 'client', '--', 'sh', '-c', 'echo to-out; echo to-err >&2']);
    expect(split).toMatchObject({ code: 0, stdout: 'to-out\n' });
    expect(split.stderr).toBe('to-err\n');

    const cat = await cluster.kubectl(['exec', '-i', 'client', '--', 'cat'], { input: 'x\n' });
    expect(cat).toMatchObject({ code: 0, stdout: 'x\n' });

    const missingCmd = await cluster.kubectl(['exec', 'client', '--', 'kemu-no-such-command']);
    expect(missingCmd.code).toBe(1);
    expect(missingCmd.stderr).toContain('executable file not found in $PATH');
  });

  it('runs exec -it with a pty under script, passing the exit code', async () => {
    const r = await runCommand(
      'sh',
      [
        '-c',
        `(sleep 1; echo 'tty; echo "term=$TERM"'; sleep 1; echo 'exit 5') | script -qec "kubectl exec -it client -- sh" /dev/null`,
      ],
      { env: kubectlEnv, timeoutMs: 30_000 },
    );
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(/\/dev\/pts\/\d+/);
    expect(r.stdout).toContain('term=xterm');
  });

  it("prints a pod's log, its tail and timestamps", async () => {
    await curlFromClient(`http://${podIPs['web-pod-1']}:8080/direct-1`);
    const all = await eventually(
      async () => {
        const out = await cluster.kubectlOk(['logs', 'web-pod-1']);
        return out.includes('"path":"/direct-1"') ? out : undefined;
      },
      { timeoutMs: 10_000, what: 'the request in the log' },
    );
    expect(all).toContain('"msg":"listening"');
    const lines = all.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);

    const tail = await cluster.kubectlOk(['logs', 'web-pod-1', '--tail=1']);
    expect(tail.trimEnd().split('\n')).toEqual([lines.at(-1)]);

    const stamped = (await cluster.kubectlOk(['logs', 'web-pod-1', '--timestamps'])).trimEnd().split('\n');
    expect(stamped).toHaveLength(lines.length);
    for (const [i, l] of stamped.entries()) {
      expect(l).toMatch(TIMESTAMP);
      expect(l.replace(TIMESTAMP, '')).toBe(lines[i]);
    }
    const first = Date.parse(stamped[0]?.split(' ')[0] ?? '');
    expect(Math.abs(Date.now() - first)).toBeLessThan(5 * 60_000);

    const notFound = await cluster.kubectl(['logs', 'nope']);
    expect(notFound.code).toBe(1);
    expect(notFound.stderr).toContain('pods "nope" not found');
    const badContainer = await cluster.kubectl(['logs', 'web-pod-1', '-c', 'nope']);
    expect(badContainer.code).toBe(1);
    expect(badContainer.stderr).toContain('container nope is not valid for pod web-pod-1');
  });

  it('follows a log with -f: a new request shows up while it runs', async () => {
    const child = spawn('kubectl', ['logs', '-f', 'web-pod-1'], { env: { ...process.env, ...kubectlEnv } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    try {
      await eventually(() => out.includes('"msg":"listening"'), { timeoutMs: 10_000, what: 'the existing log' });
      expect(out).not.toContain('/follow-1');
      await curlFromClient(`http://${podIPs['web-pod-1']}:8080/follow-1`);
      await eventually(() => out.includes('"path":"/follow-1"'), { timeoutMs: 10_000, what: 'the new line' });
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill();
    }
  });

  it('keeps the previous instance log for --previous after the container is killed', async () => {
    const noPrevious = await cluster.kubectl(['logs', 'web-pod-2', '--previous']);
    expect(noPrevious.code).toBe(1);
    expect(noPrevious.stderr).toContain('previous terminated container "nginx" in pod "web-pod-2" not found');

    await curlFromClient(`http://${podIPs['web-pod-2']}:8080/before-kill`);
    await eventually(async () => (await cluster.kubectlOk(['logs', 'web-pod-2'])).includes('/before-kill'), {
      what: 'the request in the log',
    });
    const before = await pod('web-pod-2');
    const pid = Number(before.status.containerStatuses?.[0]?.containerID?.replace('kemu://', ''));
    expect(pid).toBeGreaterThan(1);
    process.kill(pid, 'SIGKILL');
    await eventually(
      async () => {
        const s = (await pod('web-pod-2')).status.containerStatuses?.[0];
        return s?.restartCount === 1 && s.state?.running !== undefined;
      },
      { timeoutMs: 30_000, what: 'web-pod-2 restarted' },
    );
    const previous = await cluster.kubectlOk(['logs', 'web-pod-2', '--previous']);
    expect(previous).toContain('"path":"/before-kill"');
    // The new instance's log: the workload's start-up line comes once it listens again.
    const current = await eventually(
      async () => {
        const out = await cluster.kubectlOk(['logs', 'web-pod-2']);
        return out.includes('"msg":"listening"') ? out : undefined;
      },
      { timeoutMs: 10_000, what: 'the new instance listening' },
    );
    expect(current).not.toContain('/before-kill');
  });

  it('prints the logs of every pod a label selector matches', async () => {
    const out = await cluster.kubectlOk(['logs', '-l', 'app=web', '--prefix']);
    for (const name of ['web-pod-1', 'web-pod-2', 'web-pod-3']) {
      expect(out).toContain(`[pod/${name}/nginx] `);
      expect(out).toContain(`"pod":"${name}"`);
    }
  });

  it('prints the logs of the kube-system kube-proxy mirror pods', async () => {
    const out = await cluster.kubectlOk(['logs', '-n', 'kube-system', '-l', 'k8s-app=kube-proxy', '--tail=3']);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(9);
    for (const node of ['node-1', 'node-2', 'node-3']) expect(out).toContain(`"node":"${node}"`);
    expect(lines.every((l) => l.includes('"component":"kube-proxy"'))).toBe(true);
    const stamped = await cluster.kubectlOk([
      'logs',
      '-n',
      'kube-system',
      'kube-proxy-node-1',
      '--tail=1',
      '--timestamps',
    ]);
    expect(stamped).toMatch(TIMESTAMP);
  });

  it('prints the logs of the kube-dns pods', async () => {
    const pods = await cluster.kubectlOk(['get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-dns', '-o', 'name']);
    const names = pods
      .trim()
      .split('\n')
      .filter((l) => l !== '');
    expect(names).toHaveLength(2);
    const out = await cluster.kubectlOk([
      'logs',
      '-n',
      'kube-system',
      '-l',
      'k8s-app=kube-dns',
      '--prefix',
      '--tail=1',
    ]);
    for (const n of names) expect(out).toContain(`[${n}/`);
  });

  it('runs kubectl run -it --rm: attaches, exits with the container exit code, deletes the pod', async () => {
    const r = await runCommand(
      'script',
      ['-qec', `kubectl run -it --rm debug --image=busybox --restart=Never -- sh -c 'echo hi; exit 3'`, '/dev/null'],
      { env: kubectlEnv, timeoutMs: 90_000 },
    );
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^hi\r?$/m);
    expect(r.stdout).toContain('pod "debug" deleted');
    expect(r.stdout).not.toContain("couldn't attach");
    await eventually(async () => (await cluster.kubectl(['get', 'pod', 'debug'])).code !== 0, {
      timeoutMs: 30_000,
      what: 'the debug pod gone',
    });
  });

  it('runs kubectl run -i --rm with stdin and no tty', async () => {
    const r = await cluster.kubectl(
      ['run', '-i', '--rm', 'reader', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'read l; echo "got:$l"'],
      { input: 'hello\n', timeoutMs: 90_000 },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('got:hello');
    expect(r.stdout).toContain('pod "reader" deleted');
  });
});
