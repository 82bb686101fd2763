/**
 * The helpers of Kubernetes' network e2e tests (e2eservice's TestJig, e2epod, the
 * validate/verify functions of service.go) over kubectl, for
 * service-conformance.test.ts: manifests built as upstream builds them, and checks that
 * poll with deadlines as upstream's do.
 */
import { eventually } from '@kemu/testkit';
import type { CommandResult, KemuCluster } from './kemu-cluster.js';

/** The agnhost image upstream's network tests run (kemu emulates netexec, serve-hostname, pause). */
export const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
/** The image dns.go digs from. */
export const DNSUTILS = 'registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3';

/** A Kubernetes object as JSON. */
export type Obj = Record<string, unknown>;
/** Labels or a selector. */
export type Labels = Record<string, string>;

/** An agnhost pod as e2epod.NewAgnhostPod builds it (args are agnhost's subcommand). */
export function agnhostPod(
  name: string,
  args: string[],
  o: {
    labels?: Labels;
    ports?: Obj[];
    nodeName?: string;
    readinessProbe?: Obj;
    livenessProbe?: Obj;
    lifecycle?: Obj;
    grace?: number;
  } = {},
): Obj {
  const container: Obj = { name: 'agnhost', image: AGNHOST, args, ports: o.ports ?? [] };
  if (o.readinessProbe) container.readinessProbe = o.readinessProbe;
  if (o.livenessProbe) container.livenessProbe = o.livenessProbe;
  if (o.lifecycle) container.lifecycle = o.lifecycle;
  const spec: Obj = { containers: [container] };
  if (o.nodeName) spec.nodeName = o.nodeName;
  if (o.grace !== undefined) spec.terminationGracePeriodSeconds = o.grace;
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: o.labels ?? {} }, spec };
}

/** A Service of the given spec. */
export function service(name: string, spec: Obj, labels?: Labels): Obj {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, ...(labels ? { labels } : {}) }, spec };
}

/** serve-hostname backends as StartServeHostnameService runs them (a ReplicationController there). */
export function serveHostnameDeployment(name: string, replicas: number): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { name } },
      template: {
        metadata: { labels: { name } },
        spec: {
          containers: [{ name, image: AGNHOST, args: ['serve-hostname'], ports: [{ containerPort: 9376 }] }],
        },
      },
    },
  };
}

/** getServeHostnameService: port 80 to 9376, selecting `name=<name>`. */
export function serveHostnameService(name: string, extra: Obj = {}, labels?: Labels): Obj {
  return service(
    name,
    { selector: { name }, ports: [{ port: 80, targetPort: 9376, protocol: 'TCP' }], ...extra },
    labels,
  );
}

/** The cluster-bound helpers; `cluster` is read only when one is called. */
export function createServiceJig(cluster: KemuCluster) {
  const createNamespace = (ns: string) => cluster.kubectlOk(['create', 'namespace', ns]);
  const apply = (ns: string, ...items: Obj[]) =>
    cluster.kubectlOk(['apply', '-n', ns, '-f', '-'], {
      // A v1 List, as `kubectl get -o yaml` prints one: kubectl validates it against /openapi/v2.
      input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }),
    });
  const waitReady = (ns: string, ...what: string[]) =>
    cluster.kubectlOk(['wait', '-n', ns, '--for=condition=Ready', ...what, '--timeout=90s']);
  const getJson = async <T = Obj>(ns: string, ...what: string[]) =>
    JSON.parse(await cluster.kubectlOk(['get', '-n', ns, ...what, '-o', 'json'])) as T;
  const clusterIPOf = async (ns: string, svc: string) =>
    (await cluster.kubectlOk(['get', 'svc', '-n', ns, svc, '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  const podIPOf = async (ns: string, pod: string) =>
    (await cluster.kubectlOk(['get', 'pod', '-n', ns, pod, '-o', 'jsonpath={.status.podIP}'])).trim();
  /** A shell command in a pod, as e2eoutput.RunHostCmd runs it. */
  const sh = (ns: string, pod: string, cmd: string): Promise<CommandResult> =>
    cluster.kubectl(['exec', '-n', ns, pod, '--', 'sh', '-c', cmd], { timeoutMs: 60_000 });
  const curl = (addr: string, path = '') => `curl -q -s --connect-timeout 2 -m 5 'http://${addr}/${path}'`;
  /** The hostname the Service answers with from `pod`, or undefined when the request fails. */
  const hostnameVia = async (ns: string, pod: string, addr: string, path = 'hostname') => {
    const r = await sh(ns, pod, curl(addr, path));
    return r.code === 0 ? r.stdout.trim() : undefined;
  };
  const forceDelete = (ns: string, ...pods: string[]) =>
    cluster.kubectl(['delete', 'pod', '-n', ns, ...pods, '--grace-period=0', '--force', '--wait=false']);

  /** validateEndpointsPortsOrFail: the Endpoints and the EndpointSlices both list exactly these pods and ports. */
  const validateEndpointsPorts = async (ns: string, svc: string, expected: Record<string, number[]>) => {
    const norm = (m: Record<string, number[]>) =>
      JSON.stringify(
        Object.fromEntries(
          Object.entries(m)
            .map(([k, v]) => [k, [...v].sort((a, b) => a - b)] as const)
            .sort(([a], [b]) => a.localeCompare(b)),
        ),
      );
    let seen = '';
    await eventually(
      async () => {
        const ep = await getJson<{
          subsets?: { addresses?: { targetRef?: { name: string } }[]; ports?: { port: number }[] }[];
        }>(ns, 'endpoints', svc);
        const fromEndpoints: Record<string, number[]> = {};
        for (const subset of ep.subsets ?? [])
          for (const port of subset.ports ?? [])
            for (const a of subset.addresses ?? [])
              if (a.targetRef) (fromEndpoints[a.targetRef.name] ??= []).push(port.port);
        const slices = await getJson<{
          items: { endpoints?: { targetRef?: { name: string } }[]; ports?: { port: number }[] | null }[];
        }>(ns, 'endpointslices', '-l', `kubernetes.io/service-name=${svc}`);
        const fromSlices: Record<string, number[]> = {};
        for (const slice of slices.items)
          for (const port of slice.ports ?? [])
            for (const e of slice.endpoints ?? [])
              if (e.targetRef) (fromSlices[e.targetRef.name] ??= []).push(port.port);
        seen = `endpoints ${norm(fromEndpoints)}, slices ${norm(fromSlices)}`;
        return norm(fromEndpoints) === norm(expected) && norm(fromSlices) === norm(expected);
      },
      { timeoutMs: 30_000, intervalMs: 500, what: `${ns}/${svc} to expose ${norm(expected)} (last: ${seen})` },
    );
  };

  /** verifyServeHostnameServiceUp: every expected pod answers through the address, from `pod`. */
  const verifyServiceUp = async (ns: string, pod: string, addr: string, expectedPods: string[]) => {
    const got = new Set<string>();
    await eventually(
      async () => {
        const r = await sh(
          ns,
          pod,
          `for i in $(seq 1 ${10 * expectedPods.length}); do ${curl(addr)} || true; echo; done`,
        );
        for (const line of r.stdout.split('\n')) if (line.trim()) got.add(line.trim());
        return expectedPods.every((p) => got.has(p));
      },
      { timeoutMs: 30_000, what: `${addr} to be served by ${expectedPods.join(', ')} (got ${[...got].join(', ')})` },
    );
  };

  /** verifyServeHostnameServiceDown: a request to the address fails. */
  const verifyServiceDown = (ns: string, pod: string, addr: string) =>
    eventually(
      async () =>
        !(await sh(ns, pod, `${curl(addr)} && echo service-down-failed`)).stdout.includes('service-down-failed'),
      {
        timeoutMs: 30_000,
        what: `${addr} to stop answering`,
      },
    );

  /** Names of the pods a Deployment runs, sorted. */
  const podsOf = async (ns: string, name: string) =>
    (
      await cluster.kubectlOk([
        'get',
        'pods',
        '-n',
        ns,
        '-l',
        `name=${name}`,
        '-o',
        'jsonpath={.items[*].metadata.name}',
      ])
    )
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .sort();

  /** StartServeHostnameService: the Service and its ready serve-hostname pods; returns pods and ClusterIP. */
  const startServeHostnameService = async (
    ns: string,
    name: string,
    replicas: number,
    extra: Obj = {},
    labels?: Labels,
  ) => {
    await apply(ns, serveHostnameService(name, extra, labels), serveHostnameDeployment(name, replicas));
    await cluster.kubectlOk(['rollout', 'status', '-n', ns, `deployment/${name}`, '--timeout=90s']);
    const pods = await eventually(async () => {
      const names = await podsOf(ns, name);
      return names.length === replicas && names;
    });
    return { pods, ip: await clusterIPOf(ns, name) };
  };

  return {
    createNamespace,
    apply,
    waitReady,
    getJson,
    clusterIPOf,
    podIPOf,
    sh,
    curl,
    hostnameVia,
    forceDelete,
    validateEndpointsPorts,
    verifyServiceUp,
    verifyServiceDown,
    startServeHostnameService,
  };
}
