/**
 * A pod's sandbox: its netns (`kemu-<cluster>-pod-<12 hex>`), veth `v<8 hex>` on cbr0
 * and the files `ip netns exec` bind-mounts over /etc inside it (resolv.conf pointing
 * at cluster DNS with the Kubernetes search path, the kubelet's hosts file). Create and
 * delete of one pod are serialized, so a delete that overtakes a slow create still wins.
 */
import type { Pod } from '@kemu/api';
import { createCommandRunner, createPodNetwork, deletePodNetwork, podHostVethName, podNetnsName } from '@kemu/netns';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Settings shared by all pods of the node. */
export interface PodSandboxOptions {
  cluster: string;
  bridge: string;
  gateway: string;
  prefixLength: number;
  /** Cluster DNS service IP (10th IP of the service CIDR). */
  clusterDNS: string;
  clusterDomain: string;
  /** Where `ip netns exec` looks for per-netns /etc files; /etc/netns. */
  etcNetnsDir: string;
}

/** Creates and removes pod sandboxes. */
export interface PodSandbox {
  netnsName(uid: string): string;
  /** The kubelet-managed /etc files of a pod, mounted into its containers (resolv.conf read-only when it is the node's). */
  etcFiles(pod: Pod): { hosts: string; hostname: string; resolvConf: string; resolvConfReadonly: boolean };
  create(pod: Pod, podIP: string): Promise<void>;
  delete(uid: string): Promise<void>;
}

/** The kubelet's resolv.conf for dnsPolicy ClusterFirst; undefined for policies that keep the node's. */
export function resolvConf(pod: Pod, clusterDNS: string, domain: string): string | undefined {
  const policy = pod.spec.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'Default') return undefined;
  const ns = pod.metadata.namespace ?? 'default';
  const dnsConfig = pod.spec.dnsConfig as
    | { nameservers?: string[]; searches?: string[]; options?: { name: string; value?: string }[] }
    | undefined;
  const nameservers =
    policy === 'None' ? (dnsConfig?.nameservers ?? []) : [clusterDNS, ...(dnsConfig?.nameservers ?? [])];
  const searches = [
    ...(policy === 'None' ? [] : [`${ns}.svc.${domain}`, `svc.${domain}`, domain]),
    ...(dnsConfig?.searches ?? []),
  ].filter((s, i, all) => all.indexOf(s) === i);
  const options = new Map<string, string | undefined>(policy === 'None' ? [] : [['ndots', '5']]);
  for (const o of dnsConfig?.options ?? []) options.set(o.name, o.value);
  const lines = [
    ...(searches.length > 0 ? [`search ${searches.join(' ')}`] : []),
    ...nameservers.map((n) => `nameserver ${n}`),
    ...(options.size > 0
      ? [`options ${[...options].map(([k, v]) => (v === undefined ? k : `${k}:${v}`)).join(' ')}`]
      : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** The kubelet-managed /etc/hosts of a pod. */
export function hostsFile(pod: Pod, podIP: string, domain: string): string {
  const hostname = (pod.spec.hostname ?? pod.metadata.name).slice(0, 63);
  const ns = pod.metadata.namespace ?? 'default';
  const own = pod.spec.subdomain
    ? `${podIP}\t${hostname}.${pod.spec.subdomain}.${ns}.svc.${domain}\t${hostname}`
    : `${podIP}\t${hostname}`;
  return [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
    own,
    '',
  ].join('\n');
}

/** Creates the node's sandbox manager. */
export function createPodSandbox(options: PodSandboxOptions): PodSandbox {
  const chains = new Map<string, Promise<unknown>>();
  function serialized<T>(uid: string, op: () => Promise<T>): Promise<T> {
    const next = (chains.get(uid) ?? Promise.resolve()).catch(() => undefined).then(op);
    chains.set(uid, next);
    void next
      .finally(() => {
        if (chains.get(uid) === next) chains.delete(uid);
      })
      .catch(() => undefined);
    return next;
  }
  const netnsName = (uid: string) => podNetnsName(options.cluster, uid);
  // A pod network's sh is forked by a small perl helper, not by this large process.
  const commands = createCommandRunner();

  return {
    netnsName,
    etcFiles(pod) {
      const dir = join(options.etcNetnsDir, netnsName(pod.metadata.uid ?? ''));
      const own = resolvConf(pod, options.clusterDNS, options.clusterDomain) !== undefined;
      return {
        hosts: join(dir, 'hosts'),
        hostname: join(dir, 'hostname'),
        resolvConf: own ? join(dir, 'resolv.conf') : '/etc/resolv.conf',
        resolvConfReadonly: !own,
      };
    },
    create(pod, podIP) {
      const uid = pod.metadata.uid ?? '';
      return serialized(uid, async () => {
        const podNetns = netnsName(uid);
        await createPodNetwork(
          {
            podNetns,
            hostVeth: podHostVethName(uid),
            bridge: options.bridge,
            ip: podIP,
            prefixLength: options.prefixLength,
            gateway: options.gateway,
          },
          commands.run,
        );
        const dir = join(options.etcNetnsDir, podNetns);
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, 'hosts'), hostsFile(pod, podIP, options.clusterDomain));
        await writeFile(join(dir, 'hostname'), `${(pod.spec.hostname ?? pod.metadata.name).slice(0, 63)}\n`);
        const resolv = resolvConf(pod, options.clusterDNS, options.clusterDomain);
        if (resolv) await writeFile(join(dir, 'resolv.conf'), resolv);
      });
    },
    delete(uid) {
      return serialized(uid, async () => {
        const podNetns = netnsName(uid);
        await deletePodNetwork({ podNetns, hostVeth: podHostVethName(uid) });
        await rm(join(options.etcNetnsDir, podNetns), { recursive: true, force: true });
      });
    },
  };
}
