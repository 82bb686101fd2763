/**
 * Issue 2's acceptance, end to end: a real 3-node kemu cluster, the real kubectl, curl
 * from client pods through the node proxies — once per proxy mode (userspace and
 * nftables), with the differences that are real in Kubernetes asserted as such.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually, getJson, listJson } from '@kemu/testkit';
import { countByPod, curlLoop, parseReplies, repoRoot } from './kemu-cluster.js';
import { PROXY_MODES, expectClientAddress, expectSpread } from './proxy-modes.js';
import { useCluster } from './use-cluster.js';

const webYaml = join(repoRoot, 'infra/examples/web.yaml');
const stickyYaml = join(repoRoot, 'infra/examples/sticky-service.yaml');

interface PodJson {
  metadata: { name: string; uid: string; labels?: Record<string, string>; resourceVersion: string };
  spec: { nodeName?: string };
  status: { podIP?: string; conditions?: { type: string; status: string }[] };
}

describe.each(PROXY_MODES)('a local 3-node cluster (%s proxy mode)', (proxyMode) => {
  let clusterIP = '';

  const cluster = useCluster({ name: 'skel', nodes: 3, proxyMode });

  async function pods(): Promise<PodJson[]> {
    return await listJson<PodJson>(cluster, ['pods']);
  }

  async function readyPods(names: string[]): Promise<PodJson[]> {
    return eventually(
      async () => {
        const all = await pods();
        const wanted = all.filter((p) => names.includes(p.metadata.name));
        const ready = wanted.filter((p) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
        return ready.length === names.length ? ready : undefined;
      },
      { timeoutMs: 60_000, what: `pods ${names.join(', ')} Ready` },
    );
  }

  async function endpointIPs(service: string): Promise<string[]> {
    const ep = await getJson<{
      subsets?: { addresses?: { ip: string }[]; ports?: { port: number }[] }[];
    }>(cluster, ['endpoints', service]);
    return (ep.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();
  }

  it('applies the seed web-service and three web pods, spread over the 3 nodes', async () => {
    const out = await cluster.kubectlOk(['apply', '-f', webYaml]);
    expect(out).toContain('service/web-service created');
    expect(out).toContain('pod/web-pod-1 created');
    const web = await readyPods(['web-pod-1', 'web-pod-2', 'web-pod-3', 'client']);

    const svc = await cluster.kubectlOk(['get', 'svc', 'web-service']);
    const row = svc.split('\n')[1] ?? '';
    const cells = row.trim().split(/\s+/);
    expect(svc.split('\n')[0]).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE/);
    expect(cells[0]).toBe('web-service');
    expect(cells[1]).toBe('ClusterIP');
    clusterIP = cells[2] ?? '';
    const [a, b] = clusterIP.split('.').map(Number);
    expect(a).toBe(10);
    expect(b).toBeGreaterThanOrEqual(96);
    expect(b).toBeLessThanOrEqual(111);
    expect(cells[4]).toBe('80/TCP');

    const webPods = web.filter((p) => p.metadata.name.startsWith('web-pod-'));
    const webIPs = webPods.map((p) => p.status.podIP ?? '').sort();
    await eventually(async () => JSON.stringify(await endpointIPs('web-service')) === JSON.stringify(webIPs), {
      timeoutMs: 20_000,
      what: 'endpoints with the three pod IPs',
    });
    const epTable = await cluster.kubectlOk(['get', 'endpoints', 'web-service']);
    for (const ip of webIPs) expect(epTable).toContain(`${ip}:8080`);
    // The scheduler spreads the Service's pods (the message shows where every pod went when it did not).
    const spread = new Set(webPods.map((p) => p.spec.nodeName)).size;
    const where =
      spread === 3
        ? ''
        : await cluster.kubectlOk(['get', 'pods', '-A', '-o', 'wide', '--sort-by=.metadata.creationTimestamp']);
    expect(spread, where).toBe(3);

    const wide = await cluster.kubectlOk(['get', 'pods', '-o', 'wide']);
    expect(wide.split('\n')[0]).toMatch(
      /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/,
    );
    expect(wide).toMatch(/web-pod-1\s+1\/1\s+Running\s+0/);
    const labels = await cluster.kubectlOk(['get', 'pods', '--show-labels']);
    expect(labels).toMatch(/web-pod-1 .*app=web,tier=frontend/);
  });

  it('spreads 60 requests to the ClusterIP over the three pods across nodes (round robin in userspace, random in nftables)', async () => {
    const r = await cluster.exec('client', curlLoop(`http://${clusterIP}:80/`, 60));
    expect(r.code).toBe(0);
    const replies = parseReplies(r.stdout);
    expect(replies).toHaveLength(60);
    expectSpread(proxyMode, replies, ['web-pod-1', 'web-pod-2', 'web-pod-3']);
    const client = (await pods()).find((p) => p.metadata.name === 'client');
    const remote = replies.filter((x) => x.node !== client?.spec.nodeName);
    expect(remote.length).toBeGreaterThanOrEqual(10);
    expectClientAddress(proxyMode, replies, client?.status.podIP ?? '');
  });

  it('shows its proxy mode in kemu status and the kube-proxy pods, and (nftables) the rules in the node netns', async () => {
    const status = await cluster.kemu(['status']);
    expect(status.stdout).toContain(`proxy mode ${proxyMode}`);
    const commands = await cluster.kubectlOk([
      'get',
      'pods',
      '-n',
      'kube-system',
      '-l',
      'k8s-app=kube-proxy',
      '-o',
      'jsonpath={.items[*].spec.containers[0].command}',
    ]);
    expect(commands.match(/--proxy-mode=(\w+)/g)).toEqual(Array(3).fill(`--proxy-mode=${proxyMode}`));
    const rules = await cluster.kemu(['exec', '--node', 'node-1', '--', 'nft', 'list', 'table', 'ip', 'kube-proxy']);
    if (proxyMode === 'userspace') {
      expect(rules.code).not.toBe(0);
      return;
    }
    expect(rules.code, rules.stderr).toBe(0);
    expect(rules.stdout).toMatch(/chain service-[A-Z2-7]{8}-default\/web-service\/tcp\/ \{/);
    expect(rules.stdout).toMatch(
      /numgen random mod 3 vmap \{ 0 : goto endpoint-[A-Z2-7]{8}-default\/web-service\/tcp\//,
    );
    expect(rules.stdout).toContain(`${clusterIP} . tcp . 80 : goto service-`);
  });

  it('keeps a ClientIP-affine client on one pod, and spreads again after switching to None', async () => {
    expect(await cluster.kubectlOk(['apply', '-f', stickyYaml])).toContain('service/sticky-service created');
    await cluster.kubectlOk(['run', 'client-2', '--image=nginx', '--labels=app=client', '--restart=Never']);
    await readyPods(['client-2']);
    const sticky = (
      await cluster.kubectlOk(['get', 'svc', 'sticky-service', '-o', 'jsonpath={.spec.clusterIP}'])
    ).trim();
    await eventually(async () => (await endpointIPs('sticky-service')).length === 3, { what: 'sticky endpoints' });

    const first = countByPod(parseReplies((await cluster.exec('client', curlLoop(`http://${sticky}/`, 15))).stdout));
    expect(Object.values(first)).toEqual([15]);
    const second = countByPod(parseReplies((await cluster.exec('client-2', curlLoop(`http://${sticky}/`, 15))).stdout));
    expect(Object.values(second)).toEqual([15]);

    const manifest = (await readFile(stickyYaml, 'utf8')).replace('sessionAffinity: ClientIP', 'sessionAffinity: None');
    expect(await cluster.kubectlOk(['apply', '-f', '-'], { input: manifest })).toContain(
      'service/sticky-service configured',
    );
    const spread = await eventually(
      async () => {
        const c = countByPod(parseReplies((await cluster.exec('client', curlLoop(`http://${sticky}/`, 15))).stdout));
        return Object.keys(c).length === 3 ? c : undefined;
      },
      { timeoutMs: 20_000, what: 'requests spread after sessionAffinity None' },
    );
    if (proxyMode === 'userspace') expect(Object.values(spread)).toEqual([5, 5, 5]);
  });

  it('re-applies unchanged, applies a port change as configured, and serves the new port', async () => {
    expect(await cluster.kubectlOk(['apply', '-f', webYaml])).toContain('service/web-service unchanged');
    const yaml = (await readFile(webYaml, 'utf8')).replace('- port: 80', '- port: 8081');
    expect(await cluster.kubectlOk(['apply', '-f', '-'], { input: yaml })).toContain('service/web-service configured');
    const ports = await cluster.kubectlOk([
      'get',
      'svc',
      'web-service',
      '-o',
      'jsonpath={.spec.ports[0].port} {.spec.clusterIP}',
    ]);
    expect(ports.trim()).toBe(`8081 ${clusterIP}`);
    const replies = await eventually(
      async () => {
        const r = parseReplies((await cluster.exec('client', curlLoop(`http://${clusterIP}:8081/`, 3))).stdout);
        return r.length === 3 ? r : undefined;
      },
      { timeoutMs: 20_000, what: 'the new port answering' },
    );
    expect(replies.every((x) => x.pod.startsWith('web-pod-'))).toBe(true);
    const old = await cluster.exec('client', ['curl', '-s', '-m', '2', `http://${clusterIP}:80/`]);
    expect(old.code).toBe(7);
    await cluster.kubectlOk(['apply', '-f', webYaml]);
  });

  it('refuses bad manifests with the server message and leaves nothing behind', async () => {
    const base = `apiVersion: v1\nkind: Service\nmetadata:\n  name: NAME\nspec:\n  selector:\n    app: web\n  ports:\n    - port: PORT\n      targetPort: 8080\n`;
    const cases: { yaml: string; name: string; expect: RegExp }[] = [
      {
        name: 'bad-port-0',
        yaml: base.replace('NAME', 'bad-port-0').replace('PORT', '0'),
        expect: /spec\.ports\[0\]\.port: Invalid value: 0: must be between 1 and 65535, inclusive/,
      },
      {
        name: 'bad-port-big',
        yaml: base.replace('NAME', 'bad-port-big').replace('PORT', '70000'),
        expect: /spec\.ports\[0\]\.port: Invalid value: 70000/,
      },
      {
        name: 'Bad_Name',
        yaml: base.replace('NAME', 'Bad_Name').replace('PORT', '80'),
        expect: /The Service "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name"/,
      },
      {
        name: 'bad-field',
        yaml: base.replace('NAME', 'bad-field').replace('PORT', '80').replace('spec:\n', 'spec:\n  foo: bar\n'),
        expect: /strict decoding error: unknown field "spec\.foo"/,
      },
      {
        name: 'bad-dup',
        yaml: '{"apiVersion":"v1","kind":"Service","metadata":{"name":"bad-dup"},"spec":{"selector":{"app":"web","app":"x"},"ports":[{"port":80}]}}',
        expect: /strict decoding error: duplicate field "spec\.selector\.app"/,
      },
    ];
    for (const c of cases) {
      // kubectl apply folds duplicate YAML keys itself before sending (seen with -v=9), so
      // the duplicate-key document goes to the server as written, with `create --raw`.
      const args =
        c.name === 'bad-dup'
          ? ['create', '--raw', '/api/v1/namespaces/default/services?fieldValidation=Strict', '-f', '-']
          : ['apply', '-f', '-'];
      const r = await cluster.kubectl(args, { input: c.yaml });
      expect(r.code, c.name).not.toBe(0);
      expect(r.stderr, c.name).toMatch(c.expect);
      const get = await cluster.kubectl(['get', 'svc', c.name]);
      expect(get.code, c.name).not.toBe(0);
      expect(get.stderr, c.name).toMatch(/NotFound|not found|Invalid value|invalid/);
    }
  });

  it('removes a deleted pod from the Endpoints, and no later request reaches it', async () => {
    const before = await endpointIPs('web-service');
    const victim = (await pods()).find((p) => p.metadata.name === 'web-pod-1');
    expect(before).toContain(victim?.status.podIP);
    await cluster.kubectlOk(['delete', 'pod', 'web-pod-1', '--wait=false']);
    await eventually(async () => !(await endpointIPs('web-service')).includes(victim?.status.podIP ?? ''), {
      timeoutMs: 10_000,
      what: 'web-pod-1 out of the endpoints',
    });
    const out = await cluster.exec('client', curlLoop(`http://${clusterIP}/`, 20));
    const replies = parseReplies(out.stdout);
    expect(replies, `${out.stdout}\n${out.stderr}`).toHaveLength(20);
    expect(replies.some((x) => x.pod === 'web-pod-1')).toBe(false);
    await eventually(async () => (await cluster.kubectl(['get', 'pod', 'web-pod-1'])).code !== 0, {
      timeoutMs: 40_000,
      what: 'web-pod-1 gone',
    });
  });

  it('never lists a pod whose labels do not match, and refuses connections to a service without endpoints', async () => {
    const lonely = `apiVersion: v1\nkind: Service\nmetadata:\n  name: lonely\nspec:\n  selector:\n    app: nobody\n  ports:\n    - port: 80\n      targetPort: 8080\n`;
    await cluster.kubectlOk(['apply', '-f', '-'], { input: lonely });
    const ip = (await cluster.kubectlOk(['get', 'svc', 'lonely', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    await eventually(async () => (await cluster.kubectl(['get', 'endpoints', 'lonely'])).code === 0, {
      what: 'endpoints object',
    });
    expect(await endpointIPs('lonely')).toEqual([]);
    const client = (await pods()).find((p) => p.metadata.name === 'client');
    expect(await endpointIPs('web-service')).not.toContain(client?.status.podIP);
    const started = Date.now();
    const r = await cluster.exec('client', ['curl', '-s', '-m', '5', `http://${ip}/`]);
    expect(r.code).toBe(7); // connection refused
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('survives kill -9 of the controller, a proxy and the apiserver with objects and versions unchanged', async () => {
    const snapshot = async () => {
      const out = await cluster.kubectlOk(['get', 'svc,endpoints,pods', '-o', 'json']);
      const items = (
        JSON.parse(out) as {
          items: { kind: string; metadata: { name: string; resourceVersion: string }; spec?: { clusterIP?: string } }[];
        }
      ).items;
      return items
        .map((i) => `${i.kind}/${i.metadata.name}@${i.metadata.resourceVersion}:${i.spec?.clusterIP ?? ''}`)
        .sort();
    };
    const before = await snapshot();
    for (const component of ['controller', 'proxy-node-1', 'apiserver']) {
      const pid = (await cluster.pids())[component];
      expect(pid, component).toBeGreaterThan(0);
      process.kill(pid as number, 'SIGKILL');
      await eventually(
        async () => {
          const now = (await cluster.pids())[component];
          return now !== undefined && now !== pid && (await cluster.kubectl(['get', '--raw', '/readyz'])).code === 0;
        },
        { timeoutMs: 30_000, what: `${component} restarted` },
      );
    }
    await eventually(
      async () => parseReplies((await cluster.exec('client', curlLoop(`http://${clusterIP}/`, 4))).stdout).length === 4,
      { timeoutMs: 20_000, what: 'traffic after restarts' },
    );
    expect(await snapshot()).toEqual(before);
  });
});
