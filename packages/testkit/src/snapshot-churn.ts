/**
 * A long, realistic event log for snapshot tests and the start-up benchmark: pods created,
 * updated through their phases and deleted, Services and Endpoints following them. The
 * events are published in order (pipelined on one connection, which NATS keeps in order)
 * and applied to an in-memory view as they go, so callers hold an oracle of the view at
 * any sequence independent of the store.
 */
import type { KubeObject, ObjectKey } from '@kemu/api';
import {
  type EventLog,
  type LogEvent,
  SCHEMA_VERSION,
  type View,
  applyEvent,
  encodeEvent,
  subjectFor,
} from '@kemu/eventlog';

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function event(type: 'Put' | 'Delete', key: ObjectKey, object: KubeObject): LogEvent {
  return {
    v: SCHEMA_VERSION,
    type,
    key,
    uid: object.metadata.uid ?? '',
    time: new Date().toISOString(),
    actor: { component: 'churn' },
    object,
  };
}

interface Churned {
  app: string;
  phase: string;
  ip: string;
  restarts: number;
}

/** Yields `count` churn events; the same seed gives the same events. */
export function* churnEvents(count: number, seed = 1): Generator<LogEvent> {
  const rnd = random(seed);
  const apps = ['web', 'api', 'db', 'cache', 'queue'];
  const live = new Map<string, Churned>();
  let next = 0;
  const podKey = (name: string) => ({ resource: 'pods', namespace: 'default', name });
  const pod = (name: string, p: Churned): KubeObject =>
    ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: p.app } },
      spec: { containers: [{ name: 'c', image: p.app }], nodeName: `node-${(name.length % 3) + 1}` },
      status: { phase: p.phase, podIP: p.ip, containerStatuses: [{ name: 'c', restartCount: p.restarts }] },
    }) as KubeObject;
  const endpoints = (app: string): KubeObject => {
    const ips = [...live.values()].filter((p) => p.app === app && p.phase === 'Running').map((p) => ({ ip: p.ip }));
    return {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: app, namespace: 'default', uid: `uid-ep-${app}` },
      subsets: ips.length ? [{ addresses: ips, ports: [{ port: 8080 }] }] : [],
    } as KubeObject;
  };
  const service = (app: string, port: number): KubeObject =>
    ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: app, namespace: 'default', uid: `uid-svc-${app}` },
      spec: { selector: { app }, ports: [{ port, targetPort: 8080 }], clusterIP: `10.96.0.${apps.indexOf(app) + 10}` },
    }) as KubeObject;
  const svcKey = (app: string) => ({ resource: 'services', namespace: 'default', name: app });
  const epKey = (app: string) => ({ resource: 'endpoints', namespace: 'default', name: app });

  for (let i = 0; i < count; i++) {
    const r = rnd();
    const app = apps[Math.floor(rnd() * apps.length)] as string;
    if (r < 0.03) {
      // A Service changes port, or goes away with its Endpoints' next event recreating it.
      if (rnd() < 0.3) yield event('Delete', svcKey(app), service(app, 80));
      else yield event('Put', svcKey(app), service(app, 80 + Math.floor(rnd() * 3)));
    } else if (r < 0.35 || live.size < 20) {
      const name = `${app}-${next++}`;
      const p = { app, phase: 'Pending', ip: `10.244.${next % 3}.${(next % 250) + 2}`, restarts: 0 };
      live.set(name, p);
      yield event('Put', podKey(name), pod(name, p));
    } else {
      const names = [...live.keys()];
      const name = names[Math.floor(rnd() * names.length)] as string;
      const p = live.get(name) as Churned;
      if (p.phase === 'Pending') {
        p.phase = 'Running';
        yield event('Put', podKey(name), pod(name, p));
      } else if (rnd() < 0.5 || live.size > 400) {
        live.delete(name);
        yield event('Delete', podKey(name), pod(name, p));
      } else {
        p.restarts++;
        yield event('Put', podKey(name), pod(name, p));
      }
      if (i + 1 < count) {
        i++;
        yield event('Put', epKey(p.app), endpoints(p.app));
      }
    }
  }
}

/**
 * Publishes events in order, `batch` at a time, applying each to `oracle` at the sequence
 * the log gave it; calls `at(seq)` after each event (to capture the oracle at a moment).
 */
export async function publishChurn(
  eventLog: EventLog,
  events: Iterable<LogEvent>,
  oracle: View,
  options: { batch?: number; at?: (seq: number) => void } = {},
): Promise<number> {
  const batch = options.batch ?? 500;
  let pending: LogEvent[] = [];
  let last = 0;
  const flush = async () => {
    const acks = await Promise.all(pending.map((e) => eventLog.js.publish(subjectFor(e.key), encodeEvent(e))));
    const stored = acks.map((ack, i) => ({ seq: ack.seq, e: pending[i] as LogEvent })).sort((a, b) => a.seq - b.seq);
    for (const { seq, e } of stored) {
      applyEvent(oracle, seq, e);
      last = seq;
      options.at?.(seq);
    }
    pending = [];
  };
  for (const e of events) {
    pending.push(e);
    if (pending.length >= batch) await flush();
  }
  if (pending.length) await flush();
  return last;
}
