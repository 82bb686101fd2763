/**
 * `kemu flows` on a live cluster, once per proxy mode: each curl through a ClusterIP
 * becomes a flow record naming the endpoint that answered it, and the DNS lookup
 * through the kube-dns ClusterIP becomes a UDP record. The userspace proxy records from
 * its own sockets (round robin); the nftables mode from the node netns's conntrack
 * events (the kernel's random pick, the endpoint being the DNAT target).
 */
import { join } from 'node:path';
import type { ConnectionFlow, FlowRecord } from '@kemu/flows';
import { eventually } from '@kemu/testkit';
import { describe, expect, it } from 'vitest';
import { curlLoop, parseReplies, repoRoot } from './kemu-cluster.js';
import { PROXY_MODES } from './proxy-modes.js';
import { useCluster } from './use-cluster.js';

describe.each(PROXY_MODES)('kemu flows (%s proxy mode)', (proxyMode) => {
  const cluster = useCluster({ name: 'flows', nodes: 2, proxyMode });

  async function connectionFlows(service: string): Promise<ConnectionFlow[]> {
    const r = await cluster.kemu(['flows', '--name', cluster.name, '--service', service, '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as FlowRecord)
      .filter((f): f is ConnectionFlow => f.kind === 'conn');
  }

  it('records each connection through a ClusterIP with the endpoint that answered it', async () => {
    await cluster.kubectlOk(['apply', '-f', join(repoRoot, 'infra/examples/web.yaml')]);
    await cluster.kubectlOk(['wait', '--for=condition=Ready', 'pod', '--all', '--timeout=90s'], { timeoutMs: 100_000 });
    const clusterIP = (
      await cluster.kubectlOk(['get', 'svc', 'web-service', '-o', 'jsonpath={.spec.clusterIP}'])
    ).trim();
    const clientIP = (await cluster.kubectlOk(['get', 'pod', 'client', '-o', 'jsonpath={.status.podIP}'])).trim();
    const r = await cluster.exec('client', curlLoop('http://web-service/', 6), { timeoutMs: 60_000 });
    const replies = parseReplies(r.stdout);
    expect(replies).toHaveLength(6);

    const flows = await eventually(
      async () => {
        const all = await connectionFlows('web-service');
        // The address an endpoint saw the connection come from is the record's address after the proxy.
        const matched = replies.map((reply) => all.find((f) => f.proxyAddress === reply.client));
        return matched.every((f) => f !== undefined) ? matched : undefined;
      },
      { timeoutMs: 20_000, what: 'a flow record for each of the six connections' },
    );
    for (const [i, f] of flows.entries()) {
      const reply = replies[i];
      expect(f).toMatchObject({
        protocol: 'TCP',
        mode: proxyMode,
        clusterIP,
        port: 80,
        service: 'default/web-service',
        endpoint: `${reply?.podIP}:8080`,
        result: 'ok',
      });
      expect(f?.candidates).toHaveLength(3);
      expect(f?.bytesOut).toBeGreaterThan(0);
      if (proxyMode === 'nftables') {
        // The kernel path: the endpoint sees the client pod itself, and the pick is numgen's.
        expect(f).toMatchObject({ source: 'conntrack', reason: 'random', client: reply?.client });
        expect(f?.client.split(':')[0]).toBe(clientIP);
      } else {
        expect(f?.reason).toBe('round-robin');
      }
    }
  }, 180_000);

  it('records the DNS lookup through the kube-dns ClusterIP as a UDP flow', async () => {
    const dns = await eventually(
      async () => (await connectionFlows('kube-system/kube-dns')).find((f) => f.protocol === 'UDP' && f.port === 53),
      // Both modes end a UDP flow after 30 s without traffic.
      { timeoutMs: 75_000, intervalMs: 2_000, what: 'a UDP flow record to kube-dns' },
    );
    expect(dns).toMatchObject({ mode: proxyMode, result: 'ok' });
    expect(dns.endpoint).toMatch(/:53$/);
    expect(dns.bytesIn).toBeGreaterThan(0);
  }, 90_000);
});
