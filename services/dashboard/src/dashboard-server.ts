/**
 * The dashboard's HTTP side (fastify), on 127.0.0.1 only, read-only: the page and its
 * bundle, the state at the log's head or at a past sequence (`/api/state?at=N`), the
 * log's changes as server-sent events whose id is the log sequence (a reconnect sends
 * Last-Event-ID and resumes without gaps), and the flow batches likewise by flow-stream
 * sequence; the chaos timeline at the head or at a past sequence (`/api/chaos?at=N`).
 * Every other method gets 405.
 */
import { type EventLog, STREAM, projectionAt } from '@kemu/eventlog';
import type { Logger } from '@kemu/log';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { readFile } from 'node:fs/promises';
import type { ChaosFeed } from './chaos-feed.js';
import { buildChaosTimeline } from './chaos-timeline.js';
import type { ClusterFeed } from './cluster-feed.js';
import { summariesOf } from './cluster-feed.js';
import type { FlowFeed } from './flow-feed.js';
import { PAGE_HTML } from './page-html.js';
import { openSse } from './sse.js';

/** What the server serves from. */
export interface DashboardServerOptions {
  cluster: ClusterFeed;
  flows: FlowFeed;
  chaos: ChaosFeed;
  eventLog: EventLog;
  /** Path of the page bundle (dist/page/app.js). */
  bundlePath: string;
  clusterName: string;
  log: Logger;
}

/** The sequence a page asks to resume after: Last-Event-ID first, then `?after=`. */
export function resumeAfter(req: FastifyRequest): number {
  const header = req.headers['last-event-id'];
  const q = (req.query as { after?: string }).after;
  const n = Number(typeof header === 'string' && header !== '' ? header : (q ?? 0));
  return Number.isFinite(n) && n >= 0 ? n : 0;
}

/** Builds the server; `listen` is the caller's. */
export function createDashboardServer(options: DashboardServerOptions): FastifyInstance {
  const { cluster, flows, eventLog, log } = options;
  const app = Fastify({ logger: false });
  let bundle: Promise<Buffer> | undefined;

  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      await reply.code(405).header('allow', 'GET, HEAD').send({ error: 'the dashboard is read-only' });
    }
  });

  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(PAGE_HTML(options.clusterName)));
  app.get('/app.js', async (_req, reply) => {
    bundle ??= readFile(options.bundlePath);
    return reply.type('text/javascript; charset=utf-8').send(await bundle);
  });
  app.get('/healthz', async () => ({ ok: true }));

  app.get('/api/state', async (req) => {
    const at = Number((req.query as { at?: string }).at);
    if (!Number.isFinite(at) || at <= 0) return { live: true, ...cluster.state(), head: cluster.state().seq };
    const snap = await projectionAt(eventLog, at, log);
    return {
      live: false,
      seq: snap.seq,
      time: snap.time?.getTime() ?? 0,
      head: cluster.state().seq,
      summaries: summariesOf(snap.view.objects.values()),
    };
  });

  app.get('/api/chaos', async (req) => {
    const at = Number((req.query as { at?: string }).at);
    const replay = Number.isFinite(at) && at > 0;
    const seq = replay ? at : cluster.state().seq;
    await options.chaos.waitFor(seq, 3_000);
    const ms = replay ? await timeOfSeq(eventLog, at) : Date.now();
    const records = flows.batchesAfter(0).flatMap((b) => b.records.map((r) => ({ seq: b.seq, ...r })));
    const complete = options.chaos.readTo(seq);
    return { seq, complete, ...buildChaosTimeline(options.chaos.transitions(), records, { seq, ms }) };
  });

  app.get('/api/events', (req, reply) => {
    reply.hijack();
    const sse = openSse(reply.raw);
    const after = resumeAfter(req);
    const missed = cluster.changesAfter(after);
    if (missed === undefined) sse.send('reset', { reason: `changes after ${after} are no longer kept` });
    else for (const c of missed) sse.send('change', c, c.seq);
    const off = cluster.subscribe((c) => sse.send('change', c, c.seq));
    void sse.closed.then(off);
  });

  app.get('/api/flows', (req, reply) => {
    reply.hijack();
    const sse = openSse(reply.raw);
    for (const b of flows.batchesAfter(resumeAfter(req))) sse.send('flows', b, b.seq);
    const off = flows.subscribe((b) => sse.send('flows', b, b.seq));
    void sse.closed.then(off);
  });

  return app;
}

/** When the log stored sequence `seq` (epoch ms); now when it is not there. */
async function timeOfSeq(eventLog: EventLog, seq: number): Promise<number> {
  try {
    return (await eventLog.jsm.streams.getMessage(STREAM, { seq }))?.time.getTime() ?? Date.now();
  } catch {
    return Date.now();
  }
}
