/**
 * The cluster DNS Service, as kubeadm's CoreDNS addon creates it: kube-system/kube-dns on
 * the tenth address of the Service range, ports dns 53/UDP, dns-tcp 53/TCP and metrics
 * 9153/TCP, selecting k8s-app=kube-dns. The dns processes write it straight into the
 * event log, so they also claim its address the way the apiserver's allocator does (an
 * IPAddress object owned by the Service; otherwise the IPAddress repair loop would not
 * know it is taken). Both writes are compare-and-set on "absent": several dns processes
 * may start at once, and an existing Service is left as it is.
 */
import {
  type IPAddress,
  type KubeObject,
  type Namespace,
  type ObjectKey,
  type Service,
  defaultObject,
  keyString,
  validateObject,
  K8S_APP_LABEL,
  CLUSTER_SERVICE_LABEL,
  KUBERNETES_NAME_LABEL,
} from '@kemu/api';
import { ConflictError, type Informer, type ObjectWriter, expectedSeq } from '@kemu/eventlog';
import { randomUUID } from 'node:crypto';

/** Where the Service lives. */
export const KUBE_DNS_SERVICE: ObjectKey = { resource: 'services', namespace: 'kube-system', name: 'kube-dns' };

/** Outcome of `ensureKubeDnsService`. */
export type EnsureResult = 'created' | 'exists' | 'address-taken';

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The Service object as the apiserver would have stored it. */
export function buildKubeDnsService(clusterIP: string, now: number, uid: string = randomUUID()): Service {
  const service: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: KUBE_DNS_SERVICE.name,
      namespace: KUBE_DNS_SERVICE.namespace,
      uid,
      creationTimestamp: rfc3339(now),
      generation: 1,
      labels: {
        [K8S_APP_LABEL]: 'kube-dns',
        [CLUSTER_SERVICE_LABEL]: 'true',
        [KUBERNETES_NAME_LABEL]: 'CoreDNS',
      },
      annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
    },
    spec: {
      selector: { [K8S_APP_LABEL]: 'kube-dns' },
      clusterIP,
      clusterIPs: [clusterIP],
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
    },
    status: { loadBalancer: {} },
  };
  return defaultObject(service);
}

/** The IPAddress that records `ip` as the Service's (networking.k8s.io/v1). */
export function buildKubeDnsIPAddress(ip: string, now: number, uid: string = randomUUID()): IPAddress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IPAddress',
    metadata: {
      name: ip,
      uid,
      creationTimestamp: rfc3339(now),
      generation: 1,
      labels: {
        'ipaddress.kubernetes.io/ip-family': 'IPv4',
        'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io',
      },
    },
    spec: {
      parentRef: {
        group: '',
        resource: 'services',
        namespace: KUBE_DNS_SERVICE.namespace,
        name: KUBE_DNS_SERVICE.name,
      },
    },
  };
}

function ownedByKubeDns(ip: IPAddress | undefined): boolean {
  const ref = ip?.spec?.parentRef;
  return (
    ref?.resource === 'services' && ref.namespace === KUBE_DNS_SERVICE.namespace && ref.name === KUBE_DNS_SERVICE.name
  );
}

async function createIfAbsent(
  writer: ObjectWriter,
  informer: Informer,
  key: ObjectKey,
  obj: KubeObject,
): Promise<void> {
  try {
    await writer.put(key, obj, expectedSeq(informer.view, key));
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    await informer.waitForSeq(informer.view.seq + 1, 1_000);
  }
}

/** Resolves once the kube-system namespace exists in the view (the apiserver creates it at start). */
export function waitForNamespace(informer: Informer, name: string): Promise<void> {
  const namespaces = informer.lister('namespaces');
  if (namespaces.get('', name)) return Promise.resolve();
  return new Promise((resolve) => {
    const seen = (ns: Namespace) => {
      if (ns.metadata.name !== name) return;
      off();
      resolve();
    };
    const off = informer.on('namespaces', { onAdd: seen, onUpdate: (_, ns) => seen(ns) });
  });
}

/** Creates kube-system/kube-dns on `clusterIP` unless it exists; never changes an existing one. */
export async function ensureKubeDnsService(
  writer: ObjectWriter,
  informer: Informer,
  clusterIP: string,
  clock: () => number = Date.now,
): Promise<EnsureResult> {
  await waitForNamespace(informer, KUBE_DNS_SERVICE.namespace);
  if (informer.view.objects.has(keyString(KUBE_DNS_SERVICE))) return 'exists';
  const addresses = informer.lister('ipaddresses');
  const ipKey: ObjectKey = { resource: 'ipaddresses', namespace: '', name: clusterIP };
  if (!addresses.get('', clusterIP))
    await createIfAbsent(writer, informer, ipKey, buildKubeDnsIPAddress(clusterIP, clock()));
  if (!ownedByKubeDns(addresses.get('', clusterIP))) return 'address-taken';
  const service = buildKubeDnsService(clusterIP, clock());
  const causes = validateObject(service);
  if (causes.length > 0) throw new Error(`kube-dns Service is invalid: ${JSON.stringify(causes)}`);
  if (informer.view.objects.has(keyString(KUBE_DNS_SERVICE))) return 'exists';
  await createIfAbsent(writer, informer, KUBE_DNS_SERVICE, service);
  return 'created';
}
