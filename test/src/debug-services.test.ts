/**
 * The Kubernetes documentation's "Debug Services" task and the dnsutils pod of
 * "Debugging DNS Resolution", run against a kemu cluster with their manifests and
 * commands unchanged; the interactive `kubectl run -it --rm ... busybox sh` becomes a
 * long-lived busybox pod that the commands are exec'd in, as the page itself suggests
 * (`kubectl exec <POD-NAME> -c <CONTAINER-NAME> -- <COMMAND>`).
 */
import { eventually } from '@kemu/testkit';
import { describe, expect, it } from 'vitest';
import { useCluster } from './use-cluster.js';

/** https://k8s.io/examples/admin/dns/dnsutils.yaml */
const dnsutils = `apiVersion: v1
kind: Pod
metadata:
  name: dnsutils
  namespace: default
spec:
  containers:
  - name: dnsutils
    image: registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3
    command:
      - sleep
      - "infinity"
    imagePullPolicy: IfNotPresent
  restartPolicy: Always
`;

describe('the Debug Services walkthrough', () => {
  const cluster = useCluster({ name: 'dbgs', nodes: 2 });
  const inBusybox = (command: string) => cluster.kubectl(['exec', 'busybox', '--', 'sh', '-c', command]);
  let podIPs: string[] = [];
  let clusterIP = '';

  it('runs the hostnames Deployment and reaches every pod on 9376 from a busybox pod', async () => {
    await cluster.kubectlOk([
      'run',
      'busybox',
      '--image=gcr.io/google-containers/busybox',
      '--restart=Never',
      '--',
      'sleep',
      '3600',
    ]);
    expect(
      await cluster.kubectlOk(['create', 'deployment', 'hostnames', '--image=registry.k8s.io/serve_hostname']),
    ).toBe('deployment.apps/hostnames created\n');
    expect(await cluster.kubectlOk(['scale', 'deployment', 'hostnames', '--replicas=3'])).toBe(
      'deployment.apps/hostnames scaled\n',
    );
    await cluster.kubectlOk(['wait', '--for=condition=Ready', 'pod', '-l', 'app=hostnames', '--timeout=90s']);
    await cluster.kubectlOk(['wait', '--for=condition=Ready', 'pod/busybox', '--timeout=60s']);
    const pods = await eventually(
      async () => {
        const out = await cluster.kubectlOk(['get', 'pods', '-l', 'app=hostnames']);
        return out.split('\n').filter((l) => /^hostnames-\S+\s+1\/1\s+Running/.test(l)).length === 3 ? out : undefined;
      },
      { timeoutMs: 60_000, what: 'three hostnames pods Running' },
    );
    expect(pods).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    podIPs = (
      await cluster.kubectlOk([
        'get',
        'pods',
        '-l',
        'app=hostnames',
        '-o',
        'go-template={{range .items}}{{.status.podIP}}{{"\\n"}}{{end}}',
      ])
    )
      .trim()
      .split('\n');
    expect(podIPs).toHaveLength(3);
    const names = pods
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s+/)[0])
      .filter((n) => n);
    const r = await inBusybox(`for ep in ${podIPs.map((ip) => `${ip}:9376`).join(' ')}; do wget -qO- $ep; echo; done`);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').sort()).toEqual([...names].sort());
  });

  it('finds no Service at first, exposes the Deployment, and reaches it by name and ClusterIP', async () => {
    const missing = await cluster.kubectl(['get', 'svc', 'hostnames']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('Error from server (NotFound): services "hostnames" not found');
    expect(await cluster.kubectlOk(['expose', 'deployment', 'hostnames', '--port=80', '--target-port=9376'])).toBe(
      'service/hostnames exposed\n',
    );
    const svc = await cluster.kubectlOk(['get', 'svc', 'hostnames']);
    expect(svc).toMatch(/^hostnames\s+ClusterIP\s+(\d+\.\d+\.\d+\.\d+)\s+<none>\s+80\/TCP/m);
    clusterIP = /^hostnames\s+ClusterIP\s+(\S+)/m.exec(svc)?.[1] ?? '';

    // The DNS server learns of the new Service from its watch a moment after `expose`.
    // busybox's nslookup tries `hostnames.default` as given first and stops at the
    // REFUSED kemu's DNS gives out-of-zone names (it forwards nowhere): that form is
    // checked with the dnsutils pod's BIND nslookup below.
    for (const name of ['hostnames', 'hostnames.default.svc.cluster.local']) {
      await eventually(async () => (await inBusybox(`nslookup ${name}`)).stdout.includes(clusterIP), {
        timeoutMs: 10_000,
        what: `nslookup ${name} to answer ${clusterIP}`,
      });
    }
    const resolv = await inBusybox('cat /etc/resolv.conf');
    expect(resolv.stdout).toMatch(/^nameserver \d+\.\d+\.\d+\.\d+$/m);
    expect(resolv.stdout).toContain('search default.svc.cluster.local svc.cluster.local cluster.local');
    expect(resolv.stdout).toContain('options ndots:5');

    const replies = await inBusybox(`for i in $(seq 1 6); do wget -qO- ${clusterIP}:80; echo; done`);
    expect(new Set(replies.stdout.trim().split('\n')).size).toBeGreaterThan(1);
    const byName = await inBusybox('wget -qO- hostnames');
    expect(byName.stdout).toMatch(/^hostnames-/);

    const json = JSON.parse(await cluster.kubectlOk(['get', 'service', 'hostnames', '-o', 'json'])) as {
      spec: { ports: { port: number; targetPort: number; protocol: string }[]; selector: Record<string, string> };
    };
    expect(json.spec.ports[0]).toMatchObject({ port: 80, targetPort: 9376, protocol: 'TCP' });
    expect(json.spec.selector).toEqual({ app: 'hostnames' });
    // The page writes `-l k8s.io/service-name=hostnames`; EndpointSlices carry kubernetes.io/service-name.
    const slices = await cluster.kubectlOk(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=hostnames']);
    for (const ip of podIPs) expect(slices).toContain(ip);
  });

  it('runs the dnsutils pod of Debugging DNS Resolution', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { input: dnsutils });
    await cluster.kubectlOk(['wait', '--for=condition=Ready', 'pod/dnsutils', '--timeout=60s']);
    const lookup = await cluster.kubectl(['exec', '-i', '-t', 'dnsutils', '--', 'nslookup', 'kubernetes.default']);
    expect(lookup.code).toBe(0);
    expect(lookup.stdout).toMatch(/Name:\s+kubernetes\.default\.svc\.cluster\.local\nAddress: \d+\.\d+\.\d+\.1/);
    const short = await cluster.kubectl(['exec', 'dnsutils', '--', 'nslookup', 'hostnames.default']);
    expect(short.stdout).toMatch(
      new RegExp(`Name:\\s+hostnames\\.default\\.svc\\.cluster\\.local\\nAddress: ${clusterIP.replaceAll('.', '\\.')}`),
    );
    const resolv = await cluster.kubectlOk(['exec', '-ti', 'dnsutils', '--', 'cat', '/etc/resolv.conf']);
    expect(resolv).toContain('search default.svc.cluster.local svc.cluster.local cluster.local');
    expect(
      (
        await cluster.kubectlOk(['exec', 'dnsutils', '--', 'dig', '+short', 'hostnames.default.svc.cluster.local'])
      ).trim(),
    ).toBe(clusterIP);
  });
});
