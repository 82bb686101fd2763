/**
 * Pods are containers (issue 12), against a real 1-node kemu cluster with the real
 * kubectl: busybox runs in its own root filesystem, PID namespace and hostname with
 * every applet; kubectl exec and kemu exec act inside the container; hostPath is refused
 * with a clear message; emptyDir is shared by a pod's containers; an unknown image
 * answers on its declared ports, and one given a command runs it in busybox+curl; and
 * `kemu down` leaves no container mount, runtime state or monitor behind.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, getJson } from '@kemu/testkit';
import { describe, expect, it } from 'vitest';
import { useCluster } from './use-cluster.js';

interface PodJson {
  status: {
    phase?: string;
    podIP?: string;
    containerStatuses?: { name: string; state?: { terminated?: { reason?: string; message?: string } } }[];
  };
}

const twoContainers = `apiVersion: v1
kind: Pod
metadata: { name: shared }
spec:
  volumes: [{ name: data, emptyDir: {} }, { name: mem, emptyDir: { medium: Memory } }]
  containers:
  - name: writer
    image: busybox
    command: [sh, -c, 'echo hello-from-writer > /data/greeting; echo in-memory > /mem/flag; exec sleep 3600']
    volumeMounts: [{ name: data, mountPath: /data }, { name: mem, mountPath: /mem }]
  - name: reader
    image: busybox
    command: [sleep, '3600']
    volumeMounts: [{ name: data, mountPath: /in, readOnly: true }, { name: mem, mountPath: /mem }]
`;

const hostPath = `apiVersion: v1
kind: Pod
metadata: { name: hostpath }
spec:
  restartPolicy: Never
  volumes: [{ name: root, hostPath: { path: / } }]
  containers:
  - name: c
    image: busybox
    command: [ls, /host]
    volumeMounts: [{ name: root, mountPath: /host }]
`;

const app = `apiVersion: v1
kind: Pod
metadata: { name: backend }
spec:
  containers:
  - name: app
    image: myapp:latest
    ports: [{ containerPort: 3000 }]
`;

const testImages = `apiVersion: v1
kind: Pod
metadata: { name: hostnames-1 }
spec:
  containers:
  - name: hostnames
    image: registry.k8s.io/serve_hostname
---
apiVersion: v1
kind: Pod
metadata: { name: netexec }
spec:
  containers:
  - name: agnhost
    image: registry.k8s.io/e2e-test-images/agnhost:2.47
    args: [netexec, --http-port=8080, --udp-port=8081]
`;

const sharedPids = `apiVersion: v1
kind: Pod
metadata: { name: sharedpid }
spec:
  shareProcessNamespace: true
  containers:
  - { name: first, image: busybox, command: [sleep, '3601'] }
  - { name: second, image: busybox, command: [sleep, '3602'] }
`;

let stateDir = '';

describe('pods are containers', () => {
  const cluster = useCluster({ name: 'ctr', nodes: 1 });
  const exec = (pod: string, ...command: string[]) => cluster.kubectlOk(['exec', pod, '--', ...command]);
  const ready = (pod: string) => cluster.kubectlOk(['wait', '--for=condition=Ready', `pod/${pod}`, '--timeout=60s']);

  it('runs busybox in its own root filesystem and process tree, with every applet', async () => {
    stateDir = cluster.stateDir;
    await cluster.kubectlOk(['run', 'bb', '--image=busybox', '--restart=Never', '--', 'sleep', '3600']);
    await ready('bb');
    expect(await exec('bb', 'ls', '/bin/httpd', '/bin/nc', '/bin/ping', '/bin/wget')).toBe(
      '/bin/httpd\n/bin/nc\n/bin/ping\n/bin/wget\n',
    );
    expect(await exec('bb', 'sh', '-c', 'nc --help 2>&1 | head -1')).toMatch(/^BusyBox v1/);
    const ps = (await exec('bb', 'ps', '-o', 'pid,args')).trim().split('\n').slice(1);
    expect(ps[0]).toMatch(/^\s*1\s+sleep 3600$/);
    expect(ps.length).toBeLessThanOrEqual(2);
    expect(await exec('bb', 'hostname')).toBe('bb\n');
    const listing = await exec('bb', 'ls', '/');
    expect(listing).not.toMatch(/^(work|opt|srv)$/m);
    const hidden = await cluster.kubectl(['exec', 'bb', '--', 'ls', stateDir]);
    expect(hidden.code).not.toBe(0);
    const sysctl = await cluster.kubectl(['exec', 'bb', '--', 'sh', '-c', 'echo 1 > /proc/sys/kernel/sysrq']);
    expect(sysctl.code).not.toBe(0);
    const viaKemu = await cluster.exec('bb', ['cat', '/proc/1/cmdline']);
    expect(viaKemu.stdout.replaceAll('\0', ' ').trim()).toBe('sleep 3600');
  });

  it('shares emptyDir volumes (also medium Memory) between the containers of a pod', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: twoContainers });
    await ready('shared');
    expect(await cluster.kubectlOk(['exec', 'shared', '-c', 'reader', '--', 'cat', '/in/greeting'])).toBe(
      'hello-from-writer\n',
    );
    expect(await cluster.kubectlOk(['exec', 'shared', '-c', 'reader', '--', 'cat', '/mem/flag'])).toBe('in-memory\n');
    expect(await cluster.kubectlOk(['exec', 'shared', '-c', 'reader', '--', 'grep', ' /mem ', '/proc/mounts'])).toMatch(
      /^tmpfs /,
    );
    const readOnly = await cluster.kubectl(['exec', 'shared', '-c', 'reader', '--', 'touch', '/in/x']);
    expect(readOnly.code).not.toBe(0);

    // Deleted, the pod leaves no container, overlay, tmpfs or volume directory behind.
    const uid = (await getJson<{ metadata: { uid: string } }>(cluster, ['pod', 'shared'])).metadata.uid;
    await cluster.kubectlOk(['delete', 'pod', 'shared', '--grace-period=1']);
    const runtimes = join(cluster.stateDir, 'containers');
    const leftovers = () =>
      readdirSync(runtimes).flatMap((node) => [
        ...readdirSync(join(runtimes, node, 'containers')).filter((id) =>
          id.startsWith(uid.replaceAll('-', '').slice(0, 12)),
        ),
        ...(existsSync(join(runtimes, node, 'volumes', uid)) ? [`volumes/${uid}`] : []),
      ]);
    await eventually(() => leftovers().length === 0 && !readFileSync('/proc/self/mountinfo', 'utf8').includes(uid), {
      timeoutMs: 20_000,
      what: `nothing left of pod shared (${leftovers().join(', ')})`,
    });
  });

  it('gives a pod with shareProcessNamespace one PID namespace', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: sharedPids });
    await ready('sharedpid');
    const ps = await cluster.kubectlOk(['exec', 'sharedpid', '-c', 'second', '--', 'ps', '-o', 'args']);
    expect(ps).toContain('sleep 3601');
    expect(ps).toContain('sleep 3602');
    const alone = await exec('bb', 'ps', '-o', 'args');
    expect(alone).not.toContain('sleep 3601');
  });

  it('refuses a hostPath volume with a clear message', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: hostPath });
    const status = await eventually(
      async () => {
        const p = await getJson<PodJson>(cluster, ['pod', 'hostpath']);
        return p.status.containerStatuses?.[0]?.state?.terminated ? p : undefined;
      },
      { timeoutMs: 30_000, what: 'the hostPath pod to end' },
    );
    expect(status.status.containerStatuses?.[0]?.state?.terminated).toMatchObject({ reason: 'StartError' });
    expect(status.status.containerStatuses?.[0]?.state?.terminated?.message).toMatch(/hostPath volumes are refused/);
  });

  it('answers on the declared port of an unknown image, and runs an unknown image command in busybox+curl', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: app });
    await ready('backend');
    const ip = (await getJson<PodJson>(cluster, ['pod', 'backend'])).status.podIP;
    expect(await exec('bb', 'wget', '-qO-', `http://${ip}:3000/`)).toContain('"pod":"backend"');
    await cluster.kubectlOk([
      'run',
      'alp',
      '--image=alpine:3.20',
      '--restart=Never',
      '--',
      'sh',
      '-c',
      'curl --version',
    ]);
    await eventually(async () => (await getJson<PodJson>(cluster, ['pod', 'alp'])).status.phase === 'Succeeded', {
      timeoutMs: 30_000,
      what: 'alp to succeed',
    });
    expect(await cluster.kubectlOk(['logs', 'alp'])).toMatch(/^curl \d/);
  });

  it("serves Kubernetes' test images: serve_hostname on 9376, agnhost netexec over HTTP and UDP", async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: testImages });
    await ready('hostnames-1');
    await ready('netexec');
    const ipOf = async (pod: string) => (await getJson<PodJson>(cluster, ['pod', pod])).status.podIP ?? '';
    const [hostnames, netexec, bb] = [await ipOf('hostnames-1'), await ipOf('netexec'), await ipOf('bb')];
    expect(await exec('bb', 'wget', '-qO-', `http://${hostnames}:9376`)).toBe('hostnames-1');
    expect(await exec('bb', 'wget', '-qO-', `http://${netexec}:8080/hostname`)).toBe('netexec');
    expect(await exec('bb', 'wget', '-qO-', `http://${netexec}:8080/clientip`)).toMatch(new RegExp(`^${bb}:\\d+$`));
    // UDP as the network e2e tests check it: netexec's /dial asks a UDP server.
    const udp = await exec(
      'netexec',
      'wget',
      '-qO-',
      `http://127.0.0.1:8080/dial?request=hostname&host=${netexec}&port=8081&protocol=udp`,
    );
    expect(JSON.parse(udp)).toEqual({ responses: ['netexec'] });
    const dial = await exec(
      'netexec',
      'wget',
      '-qO-',
      `http://127.0.0.1:8080/dial?request=hostname&host=${hostnames}&port=9376&protocol=http&tries=2`,
    );
    expect(JSON.parse(dial)).toEqual({ responses: ['hostnames-1', 'hostnames-1'] });
  });
});

describe('after kemu down', () => {
  it('leaves no container mount, runtime state or monitor of the cluster', () => {
    expect(stateDir).not.toBe('');
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(stateDir);
    expect(listMonitors().filter((m) => m.includes(stateDir))).toEqual([]);
  });
});

/** The command lines of the container monitors running on this machine. */
function listMonitors(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.startsWith('kemu-monitor')) out.push(cmd);
    } catch {
      // Gone.
    }
  }
  return out;
}
