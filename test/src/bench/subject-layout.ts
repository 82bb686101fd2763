/**
 * The figures behind the subject layout (docs/subject-layout.md), on a real nats-server:
 * what a node-agent's informer must read from a 3-node log with today's layout (every pod
 * event on `kemu.obj.pods.<ns>.<name>`) against the node-scoped layout (pod status on
 * `kemu.node.<node>.pods.<ns>.<name>`, read with one multi-subject filter), and what a
 * compare-and-set append costs on either kind of subject. The log is synthetic but shaped
 * like a real one: per pod a create, a binding and four status writes by its node, plus
 * Lease renewals and Events.
 */
import { startNatsServer } from '@kemu/testkit';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { encodeEvent } from '@kemu/eventlog';
import { median, percentile } from './stats.js';
import type { Row } from './table.js';

const NODES = ['node-1', 'node-2', 'node-3'];

type Layout = 'object' | 'node';

/** The subject one event goes to under a layout; status writes by a node are the difference. */
function subjectOf(layout: Layout, prefix: string, kind: 'spec' | 'status', node: string, name: string): string {
  if (kind === 'status' && layout === 'node') return `${prefix}.node.${node}.pods.default.${name}`;
  return `${prefix}.obj.pods.default.${name}`;
}

function podEvent(name: string, node: string, phase: string): Uint8Array {
  return encodeEvent({
    v: 1,
    type: 'Put',
    key: { resource: 'pods', namespace: 'default', name },
    uid: `uid-${name}`,
    time: new Date().toISOString(),
    actor: { component: 'node-agent', node },
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'web', 'pod-template-hash': 'abc' } },
      spec: {
        nodeName: node,
        containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 8080, protocol: 'TCP' }] }],
      },
      status: {
        phase,
        podIP: '10.244.1.7',
        conditions: [
          { type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() },
          { type: 'ContainersReady', status: 'True', lastTransitionTime: new Date().toISOString() },
        ],
      },
    },
  });
}

/** Messages and bytes a consumer with these filters delivers, and how long it takes to drain them. */
async function drain(
  js: ReturnType<typeof jetstream>,
  jsm: Awaited<ReturnType<typeof jetstreamManager>>,
  stream: string,
  filters: string[],
): Promise<{ messages: number; bytes: number; ms: number }> {
  const t0 = performance.now();
  const ci = await jsm.consumers.add(stream, {
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
    filter_subjects: filters,
    inactive_threshold: 30_000_000_000,
  });
  const total = ci.num_pending;
  const consumer = await js.consumers.get(stream, ci.name);
  let messages = 0;
  let bytes = 0;
  const iter = await consumer.consume({ max_messages: 1000 });
  for await (const m of iter) {
    messages++;
    bytes += m.data.length;
    if (messages >= total) break;
  }
  const ms = performance.now() - t0;
  await jsm.consumers.delete(stream, ci.name);
  return { messages, bytes, ms };
}

/** p50/p99 of sequential compare-and-set appends, each on a subject of its own object. */
async function casLatency(js: ReturnType<typeof jetstream>, subjectFor: (i: number) => string, n: number) {
  const samples: number[] = [];
  const event = podEvent('p', 'node-1', 'Running');
  for (let i = 0; i < n; i++) {
    const h = headers();
    h.set('Nats-Expected-Last-Subject-Sequence', '0');
    const t0 = performance.now();
    await js.publish(subjectFor(i), event, { headers: h });
    samples.push(performance.now() - t0);
  }
  return samples;
}

/** Runs the layout comparison with `pods` pods; returns the bench rows. */
export async function measureSubjectLayout(
  progress: (msg: string) => void,
  pods = 3000,
): Promise<{ rows: Row[]; samples: Record<string, number[]> }> {
  await using server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  try {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    await jsm.streams.add({ name: 'OBJ', subjects: ['a.obj.>', 'a.node.>'] });
    await jsm.streams.add({ name: 'NODE', subjects: ['b.obj.>', 'b.node.>'] });
    for (const [layout, prefix] of [
      ['object', 'a'],
      ['node', 'b'],
    ] as const) {
      const pending: Promise<unknown>[] = [];
      const put = (subject: string, data: Uint8Array) => {
        pending.push(js.publish(subject, data));
        if (pending.length >= 256) return Promise.all(pending.splice(0));
        return undefined;
      };
      for (let i = 0; i < pods; i++) {
        const name = `web-${i}`;
        const node = NODES[i % NODES.length] as string;
        await put(subjectOf(layout, prefix, 'spec', node, name), podEvent(name, '', 'Pending'));
        await put(subjectOf(layout, prefix, 'spec', node, name), podEvent(name, node, 'Pending'));
        for (const phase of ['Pending', 'Running', 'Running', 'Running']) {
          await put(subjectOf(layout, prefix, 'status', node, name), podEvent(name, node, phase));
        }
        // A Lease renewal per node every few pods, and an Event per pod, as a busy cluster has.
        if (i % 10 === 0)
          for (const n of NODES) await put(`${prefix}.obj.leases.kube-node-lease.${n}`, podEvent(n, n, ''));
        await put(`${prefix}.obj.events.default.${name}~1`, podEvent(name, node, ''));
      }
      await Promise.all(pending);
    }
    progress(`subject layout: wrote ${pods} pods' events in both layouts`);

    // Today's node-agent reads pods, nodes, services and leases; it needs every pod's spec
    // (to see bindings) but only its own pods' status. Three interleaved rounds, medians:
    // a consumer's drain time swings with the machine's load.
    const filterSets = {
      whole: ['OBJ', ['a.>']],
      today: ['OBJ', ['a.obj.pods.>', 'a.obj.nodes.>', 'a.obj.services.>']],
      scoped: ['NODE', ['b.obj.pods.>', 'b.obj.nodes.>', 'b.obj.services.>', 'b.node.node-1.>']],
    } as const;
    const drains: Record<keyof typeof filterSets, { messages: number; bytes: number; ms: number }[]> = {
      whole: [],
      today: [],
      scoped: [],
    };
    for (let round = 0; round < 3; round++) {
      for (const [label, [stream, filters]] of Object.entries(filterSets)) {
        drains[label as keyof typeof filterSets].push(await drain(js, jsm, stream, [...filters]));
      }
    }
    const pick = (label: keyof typeof filterSets) => {
      const runs = drains[label];
      return { ...(runs[0] as { messages: number; bytes: number }), ms: median(runs.map((r) => r.ms)) };
    };
    const whole = pick('whole');
    const today = pick('today');
    const scoped = pick('scoped');
    progress(
      `node-1 informer reads: whole log ${whole.messages}, object layout ${today.messages} (${today.ms.toFixed(0)} ms), node layout ${scoped.messages} (${scoped.ms.toFixed(0)} ms)`,
    );

    const objectCas = await casLatency(js, (i) => `a.obj.pods.default.cas-${i}`, 1000);
    const nodeCas = await casLatency(js, (i) => `b.node.node-1.pods.default.cas-${i}`, 1000);
    const fmt = (s: number[]) => `${median(s).toFixed(2)} / ${percentile(s, 99).toFixed(2)} ms`;
    const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
    return {
      rows: [
        {
          figure: `subject layout, ${pods} pods on 3 nodes: events node-1's agent reads, object layout / node layout`,
          value: `${today.messages} / ${scoped.messages} (${kib(today.bytes)} / ${kib(scoped.bytes)})`,
          ratio: (scoped.messages / today.messages).toFixed(2),
        },
        {
          figure: 'subject layout: node-1 informer drain time, whole log / object layout / node layout',
          value: `${whole.ms.toFixed(0)} / ${today.ms.toFixed(0)} / ${scoped.ms.toFixed(0)} ms`,
        },
        {
          figure: 'subject layout: CAS append p50 / p99, object subject / node subject',
          value: `${fmt(objectCas)} | ${fmt(nodeCas)}`,
          ratio: (median(nodeCas) / median(objectCas)).toFixed(2),
        },
      ],
      samples: {
        objectCas,
        nodeCas,
        ...Object.fromEntries(Object.entries(drains).map(([k, v]) => [`drainMs.${k}`, v.map((r) => r.ms)])),
      },
    };
  } finally {
    await nc.close();
  }
}
