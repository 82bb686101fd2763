/**
 * The seed guide's "Troubleshooting ClusterIP Services" section, run line by line with
 * the real kubectl (under `script` where the guide uses -it), with <service-name> =
 * web-service, <pod-name> = client and <port> = 80, each line asserted on its output.
 */
import { join } from 'node:path';
import { eventually } from '@kemu/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCommand } from './kemu-cluster.js';
import { useCluster } from './use-cluster.js';

describe("the seed guide's Troubleshooting section", () => {
  let clusterIP = '';
  let env: Record<string, string>;

  /** Runs one line of the guide as a shell would, with a terminal (script) as the guide's -it needs. */
  const line = (command: string) => runCommand('script', ['-qec', command, '/dev/null'], { env, timeoutMs: 90_000 });

  const cluster = useCluster({ name: 'trbl', nodes: 3 });

  beforeAll(async () => {
    env = { KUBECONFIG: join(cluster.stateDir, 'kubeconfig'), KUBECACHEDIR: join(cluster.home, 'kube-cache') };
    await cluster.kubectlOk(['apply', '-f', join(repoRoot, 'infra/examples/web.yaml')]);
    await eventually(
      async () => {
        const out = await cluster.kubectlOk(['get', 'pods', '--no-headers']);
        return out.trim().split('\n').length === 4 && out.split('\n').every((l) => l === '' || l.includes('1/1'));
      },
      { timeoutMs: 60_000, what: 'the example pods Ready' },
    );
    clusterIP = (await cluster.kubectlOk(['get', 'svc', 'web-service', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  });

  it('1. Service Not Accessible: get svc, get endpoints, get pods --show-labels', async () => {
    const svc = await line('kubectl get svc');
    expect(svc.code).toBe(0);
    expect(svc.stdout).toMatch(
      new RegExp(`web-service\\s+ClusterIP\\s+${clusterIP.replaceAll('.', '\\.')}\\s+<none>\\s+80/TCP`),
    );
    expect(svc.stdout).toMatch(/kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP/);
    const ep = await line('kubectl get endpoints web-service');
    expect(ep.code).toBe(0);
    expect(ep.stdout).toMatch(/web-service\s+(\d+\.\d+\.\d+\.\d+:8080,?){3}/);
    const labels = await line('kubectl get pods --show-labels');
    expect(labels.code).toBe(0);
    expect(labels.stdout).toMatch(/web-pod-2\s+1\/1\s+Running\s+0\s+\S+\s+app=web,tier=frontend/);
  });

  it('2. No Endpoints: describe service and describe endpoints', async () => {
    const svc = await line('kubectl describe service web-service');
    expect(svc.code).toBe(0);
    expect(svc.stdout).toMatch(/Selector:\s+app=web,tier=frontend/);
    expect(svc.stdout).toMatch(new RegExp(`IP:\\s+${clusterIP.replaceAll('.', '\\.')}`));
    expect(svc.stdout).toMatch(/TargetPort:\s+8080\/TCP/);
    expect(svc.stdout).toMatch(/Endpoints:\s+(\d+\.\d+\.\d+\.\d+:8080,?){3}/);
    const ep = await line('kubectl describe endpoints web-service');
    expect(ep.code).toBe(0);
    expect(ep.stdout).toMatch(/Subsets:/);
    expect(ep.stdout).toMatch(/Addresses:\s+(\d+\.\d+\.\d+\.\d+,?){3}/);
  });

  it('3. DNS Resolution Issues: nslookup from a busybox pod, then the CoreDNS logs', async () => {
    const r = await line('kubectl run -it --rm debug --image=busybox --restart=Never -- nslookup web-service');
    expect(r.stdout).toMatch(/Server:\s+10\.96\.0\.10/);
    expect(r.stdout).toMatch(/Name:\s+web-service\.default\.svc\.cluster\.local/);
    expect(r.stdout).toContain(`Address: ${clusterIP}`);
    expect(r.stdout).toContain('pod "debug" deleted');
    // Debian's busybox nslookup (like busybox ≥ 1.28 on a real cluster) also asks the other
    // search domains, which are NXDOMAIN, and then exits 1: kubectl passes that code on.
    expect([0, 1]).toContain(r.code);
    // The dns servers write their query log in batches (every 200 ms).
    await eventually(
      async () => {
        const logs = await line('kubectl logs -n kube-system -l k8s-app=kube-dns');
        return logs.code === 0 && logs.stdout.includes('web-service.default.svc.cluster.local');
      },
      { timeoutMs: 5_000, what: 'the nslookup queries in the CoreDNS logs' },
    );
  });

  it('Debugging Commands: describe service, kube-proxy logs, exec -it curl by service name', async () => {
    expect((await line('kubectl describe service web-service')).code).toBe(0);
    const proxy = await line('kubectl logs -n kube-system -l k8s-app=kube-proxy');
    expect(proxy.code).toBe(0);
    expect(proxy.stdout).toContain('"component":"kube-proxy"');
    const curl = await line('kubectl exec -it client -- curl http://web-service:80');
    expect(curl.code).toBe(0);
    expect(curl.stdout).toMatch(/"pod":"web-pod-[123]"/);
  });
});
