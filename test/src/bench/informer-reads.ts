/**
 * What each informer reads while a Deployment scales to N pods on a real 3-node cluster
 * (issue 17: informers that read only what they follow). Side by side: the events the log
 * took in that time (what every informer read when a consumer took one filter subject and
 * the proxy, dns and node-agent followed the whole log) and the events the server
 * delivered to node-1's proxy, dns and node-agent consumers (their consumer sequences,
 * read from the JetStream consumer info with the cluster's admin credential).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { STREAM, connectEventLog } from '@kemu/eventlog';
import { DeliverPolicy } from '@nats-io/jetstream';
import { createLogger } from '@kemu/log';
import { type KemuCluster, startCluster } from '../kemu-cluster.js';
import type { Row } from './table.js';

/** Consumers of node-1's components, recognised by a filter subject only they have. */
const MARKERS: Record<string, string> = {
  'kube-proxy': 'kemu.obj.pods.kube-system.kube-proxy-',
  dns: 'kemu.obj.pods.kube-system.coredns-',
  'node-agent': 'kemu.obj.leases.kube-node-lease.',
};

const deployment = (replicas: number) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'reads', namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'reads' } },
      template: {
        metadata: { labels: { app: 'reads' } },
        spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 8080 }] }] },
      },
    },
  });

async function until(what: string, deadlineMs: number, ok: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`${what} not reached within ${deadlineMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function measure(cluster: KemuCluster, pods: number, progress: (msg: string) => void): Promise<Row[]> {
  const { subnetIndex } = JSON.parse(await readFile(join(cluster.stateDir, 'cluster.json'), 'utf8')) as {
    subnetIndex: number;
  };
  const eventLog = await connectEventLog({
    servers: `nats://10.250.${subnetIndex}.1:4222`,
    name: 'bench-informer-reads',
    log: createLogger({ component: 'bench', level: 'silent' }),
    failFast: true,
    tlsCaFile: join(cluster.stateDir, 'pki', 'ca.crt'),
    nkeyFile: join(cluster.stateDir, 'nats-auth', 'admin.nk'),
  });
  try {
    const node = 'node-1';
    /** Delivered count of each marked consumer, and the stream's last sequence. */
    const sample = async () => {
      const delivered: Record<string, number> = {};
      for await (const c of eventLog.jsm.consumers.list(STREAM)) {
        const filters = c.config.filter_subjects ?? (c.config.filter_subject ? [c.config.filter_subject] : []);
        for (const [component, marker] of Object.entries(MARKERS))
          if (filters.includes(`${marker}${node}`)) delivered[component] = c.delivered.consumer_seq;
      }
      const last = (await eventLog.jsm.streams.info(STREAM)).state.last_seq;
      return { delivered, last };
    };
    await cluster.kubectlOk(['apply', '-f', '-'], { input: deployment(1) });
    await cluster.kubectlOk(['expose', 'deploy/reads', '--port=80', '--target-port=8080']);
    await cluster.kubectlOk(['rollout', 'status', 'deploy/reads', '--timeout=120s']);
    const before = await sample();
    progress(`informer reads: scaling a Deployment to ${pods} pods`);
    await cluster.kubectlOk(['scale', 'deploy/reads', `--replicas=${pods}`]);
    await until(`${pods} ready endpoints`, 300_000, async () => {
      const r = await cluster.kubectl([
        'get',
        'endpointslices',
        '-l',
        'kubernetes.io/service-name=reads',
        '-o',
        'jsonpath={.items[*].endpoints[*].conditions.ready}',
      ]);
      return r.stdout.split(/\s+/).filter((v) => v === 'true').length >= pods;
    });
    const after = await sample();
    const logged = after.last - before.last;
    /** Records on `filter` after the scale began (an ordered consumer's pending count). */
    const recordsOn = async (filter: string) => {
      const c = await eventLog.js.consumers.get(STREAM, {
        filter_subjects: [filter],
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: before.last + 1,
      });
      return (await c.info()).num_pending;
    };
    // What node-1's agent skips now: the other nodes' pod status records (docs/subject-layout.md).
    const othersStatus = (await recordsOn('kemu.node.*.pods.>')) - (await recordsOn(`kemu.node.${node}.pods.>`));
    const rows: Row[] = [
      { figure: `events the log took while a Deployment scaled 1 → ${pods}`, value: String(logged) },
    ];
    for (const component of Object.keys(MARKERS)) {
      const a = after.delivered[component];
      const b = before.delivered[component];
      if (a === undefined || b === undefined) throw new Error(`no consumer of ${component} on ${node} found`);
      rows.push({
        figure: `… delivered to ${node}'s ${component} informer (whole log before: ${logged})`,
        value: String(a - b),
        ratio: (logged > 0 ? (a - b) / logged : 0).toFixed(2),
      });
    }
    const agent = rows.find((r) => r.figure.includes('node-agent'));
    if (agent) {
      const read = Number(agent.value) + othersStatus;
      rows.push({
        figure: `… what ${node}'s node-agent read with every pod's status on its object subject`,
        value: String(read),
        ratio: (logged > 0 ? read / logged : 0).toFixed(2),
      });
    }
    return rows;
  } finally {
    await eventLog.close();
  }
}

/** Brings up a 3-node cluster, scales a Deployment to `pods` and counts what informers read; always tears it down. */
export async function measureInformerReads(
  progress: (msg: string) => void,
  pods: number,
): Promise<{ rows: Row[]; samples: Record<string, number[]> }> {
  progress('starting a 3-node cluster for informer reads');
  const cluster = await startCluster({ name: 'brd', nodes: 3 });
  try {
    const rows = await measure(cluster, pods, progress);
    return { rows, samples: {} };
  } finally {
    await cluster.down();
  }
}
