/**
 * Issue 15, items 1 and 2 on a real 2-node cluster: NATS asks every client for its own
 * credential and holds each to its role (a node-agent cannot write another node's pod, its
 * status or its object), and pods are fenced off the control plane (NATS,
 * the apiserver's own address, the proxies' debug endpoints) while the `kubernetes`
 * Service and other pods stay reachable. A machine outside the cluster, joined to the
 * underlay without a route through a node, reaches no ClusterIP; the nodes do. In both
 * proxy modes.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  connectEventLog,
  createObjectWriter,
  createPodStatusWriter,
  startInformer,
  WriteForbiddenError,
  type EventLog,
} from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { eventually, getJson, listJson } from '@kemu/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCommand } from './kemu-cluster.js';
import { PROXY_MODES } from './proxy-modes.js';
import { useCluster } from './use-cluster.js';

const log = createLogger({ component: 'e2e-security', level: 'silent' });
/** curl's exit code when it could not connect before --connect-timeout: the SYN was dropped. */
const CURL_TIMEOUT = 28;

interface PodJson {
  metadata: { name: string };
  spec: { nodeName?: string };
  status: { podIP?: string; conditions?: { type: string; status: string }[] };
}

// Both proxy modes: in nftables mode the node netns DNATs the `kubernetes` Service to the
// apiserver's own address on the underlay, which the fence must let through.
describe.each(PROXY_MODES)('security: credentials and the pod fence (%s proxy mode)', (proxyMode) => {
  const cluster = useCluster({ name: 'sec', nodes: 2, proxyMode });
  let base = '';
  let apiserverPort = 0;
  let webIP = '';
  const nodeNetns = (n: number) => `kemu-${cluster.name}-node-${n}`;
  const nodeIp = (n: number) => `${base}.${10 + n}`;
  const opened: EventLog[] = [];

  /** curl from inside `netns` (a node's or the test's own): exit code and HTTP status. */
  async function curlFrom(netns: string, url: string): Promise<{ code: number; status: string }> {
    const r = await runCommand('ip', [
      'netns',
      'exec',
      netns,
      'curl',
      '-sk',
      '--connect-timeout',
      '2',
      '-m',
      '4',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      url,
    ]);
    return { code: r.code, status: r.stdout.trim() };
  }

  async function curlFromPod(url: string): Promise<{ code: number; status: string }> {
    const r = await cluster.exec('client', [
      'curl',
      '-sk',
      '--connect-timeout',
      '2',
      '-m',
      '4',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      url,
    ]);
    return { code: r.code, status: r.stdout.trim() };
  }

  async function logAs(user: string | undefined): Promise<EventLog> {
    const e = await connectEventLog({
      servers: `nats://${base}.1:4222`,
      name: `e2e-${user ?? 'anonymous'}`,
      log,
      failFast: true,
      tlsCaFile: join(cluster.stateDir, 'pki', 'ca.crt'),
      ...(user ? { nkeyFile: join(cluster.stateDir, 'nats-auth', `${user}.nk`) } : {}),
    });
    opened.push(e);
    return e;
  }

  beforeAll(async () => {
    const config = JSON.parse(await readFile(join(cluster.stateDir, 'cluster.json'), 'utf8')) as {
      subnetIndex: number;
      apiserverPort: number;
    };
    base = `10.250.${config.subnetIndex}`;
    apiserverPort = config.apiserverPort;
    await cluster.kubectlOk(['apply', '-f', join(repoRoot, 'infra/examples/web.yaml')]);
    await eventually(
      async () => {
        const pods = await listJson<PodJson>(cluster, ['pods']);
        const ready = pods.filter((p) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
        return ready.length >= 4 ? ready : undefined;
      },
      { timeoutMs: 90_000, what: 'web pods and client Ready' },
    );
    const svc = await getJson<{ spec: { clusterIP: string } }>(cluster, ['service', 'web-service']);
    webIP = svc.spec.clusterIP;
  }, 120_000);

  afterAll(async () => {
    for (const e of opened) await e.close().catch(() => undefined);
  });

  it('refuses NATS clients without a credential and holds each credential to its role', async () => {
    await expect(logAs(undefined)).rejects.toThrow(/authoriz/i);

    const proxy = await logAs('proxy-node-1');
    const proxyInformer = await startInformer(proxy, { log });
    await proxyInformer.synced;
    expect(proxyInformer.lister('pods').get('default', 'client')).toBeDefined();
    const proxyWriter = createObjectWriter(proxy, proxyInformer, { component: 'e2e' });
    await expect(
      proxyWriter.update({ resource: 'pods', namespace: 'default', name: 'client' }, (p) => ({
        ...p,
        metadata: { ...p.metadata, labels: { evil: 'yes' } },
      })),
    ).rejects.toBeInstanceOf(WriteForbiddenError);
    await expect(proxy.jsm.streams.delete('KEMU')).rejects.toThrow();
    await proxyInformer.stop();

    const agent = await logAs('node-agent-node-1');
    const agentInformer = await startInformer(agent, { log });
    await agentInformer.synced;
    const agentWriter = createObjectWriter(agent, agentInformer, { component: 'e2e' });
    await expect(
      agentWriter.update({ resource: 'leases', namespace: 'kube-node-lease', name: 'node-2' }, (l) => ({
        ...l,
        spec: { ...(l.spec as object), holderIdentity: 'node-1' },
      })),
    ).rejects.toBeInstanceOf(WriteForbiddenError);
    await expect(
      agentWriter.update({ resource: 'nodes', namespace: '', name: 'node-2' }, (n) => ({
        ...n,
        metadata: { ...n.metadata, labels: { ...n.metadata.labels, evil: 'yes' } },
      })),
    ).rejects.toBeInstanceOf(WriteForbiddenError);
    // A pod of node-2: node-1's credential writes neither its status (node-2's subject) nor its object.
    const pods = await listJson<PodJson>(cluster, ['pods']);
    const onNode2 = pods.find((p) => p.spec.nodeName === 'node-2');
    expect(onNode2).toBeDefined();
    const node2Pod = { resource: 'pods', namespace: 'default', name: onNode2?.metadata.name ?? '' } as const;
    const agentStatus = createPodStatusWriter(agent, agentInformer, { component: 'e2e', node: 'node-1' });
    await expect(agentStatus.updateStatus(node2Pod, () => ({ phase: 'Failed' }))).rejects.toBeInstanceOf(
      WriteForbiddenError,
    );
    await expect(
      agentWriter.update(node2Pod, (p) => ({ ...p, status: { ...p.status, phase: 'Failed' } })),
    ).rejects.toBeInstanceOf(WriteForbiddenError);
    await agentInformer.stop();
    const still = await getJson<{ status: { phase?: string } }>(cluster, ['pod', node2Pod.name]);
    expect(still.status.phase).toBe('Running');

    // The cluster saw none of it.
    const client = await getJson<{ metadata: { labels?: Record<string, string> } }>(cluster, ['pod', 'client']);
    expect(client.metadata.labels?.evil).toBeUndefined();
    const node2 = await getJson<{ metadata: { labels?: Record<string, string> } }>(cluster, ['node', 'node-2']);
    expect(node2.metadata.labels?.evil).toBeUndefined();
    const { stdout } = await runCommand('stat', ['-c', '%a', join(cluster.stateDir, 'nats-auth', 'admin.nk')]);
    expect(stdout.trim()).toBe('600');
  }, 60_000);

  it('fences pods off NATS, the apiserver address and the debug endpoints, not off Services and pods', async () => {
    const client = await getJson<PodJson>(cluster, ['pod', 'client']);
    const clientNode = Number(client.spec.nodeName?.replace('node-', ''));
    // The pod's own node (the node netns's input) and the other node and the host (forwarded).
    const fenced = [
      `http://${base}.1:4222/`,
      `https://${base}.1:${apiserverPort}/`,
      `http://${nodeIp(1)}:10249/`,
      `http://${nodeIp(2)}:10249/`,
    ];
    for (const url of fenced) {
      // The node itself reaches it (so something listens there)...
      const fromNode = await curlFrom(nodeNetns(clientNode), url);
      expect([0, 1, 8, 52], `${url} from node-${clientNode}: curl ${fromNode.code}`).toContain(fromNode.code);
      // ...the pod on that node does not.
      expect((await curlFromPod(url)).code, `${url} from the pod`).toBe(CURL_TIMEOUT);
    }
    expect((await curlFromPod('https://10.96.0.1:443/api')).status).toBe('401');
    expect((await curlFromPod(`http://${webIP}/`)).status).toBe('200');
  }, 90_000);

  it('lets no ClusterIP be reached from a machine on the underlay without a route through a node; nodes reach them', async () => {
    const ext = `kemu-${cluster.name}-ext`;
    const veth = `kx-${cluster.name}`.slice(0, 15);
    const ul = `kemu-${cluster.name}-ul`;
    const ip = async (args: string[]) => {
      const r = await runCommand('ip', args);
      if (r.code !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
    };
    await ip(['netns', 'add', ext]);
    try {
      await ip(['-n', ul, 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ext]);
      await ip(['-n', ul, 'link', 'set', veth, 'master', 'br0', 'up']);
      await ip(['-n', ext, 'addr', 'add', `${base}.250/24`, 'dev', 'eth0']);
      await ip(['-n', ext, 'link', 'set', 'eth0', 'up']);
      await ip(['-n', ext, 'link', 'set', 'lo', 'up']);
      // It is on the underlay: a node answers it.
      const nodeReply = await curlFrom(ext, `http://${nodeIp(1)}:10249/`);
      expect(nodeReply.code, 'the external machine reaches a node').not.toBe(CURL_TIMEOUT);
      for (const target of [`http://${webIP}/`, 'https://10.96.0.1:443/api', 'http://10.96.0.10:53/']) {
        const r = await curlFrom(ext, target);
        expect(r.status, `${target} from outside`).toBe('000');
        expect(r.code, `${target} from outside`).not.toBe(0);
      }
      for (const n of [1, 2]) expect((await curlFrom(nodeNetns(n), `http://${webIP}/`)).status).toBe('200');
    } finally {
      await runCommand('ip', ['netns', 'del', ext]);
    }
  }, 60_000);
});
