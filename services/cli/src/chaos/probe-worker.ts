/**
 * The steady-state probe's client, run by the chaos runner inside the client pod's netns
 * (`ip netns exec <pod> node probe-worker.js <json options>`), so each request goes
 * pod → ClusterIP → the node's proxy → a backend pod. Open loop: request i starts at
 * t0 + i/rate whatever earlier requests do. Each request opens a new connection, carries
 * its id in the path and in `x-kemu-probe-id`, and one JSON line per request goes to stdout.
 * No dependencies: it must run as a plain script in a pod.
 */
import { request } from 'node:http';

/** Options the runner passes as the first argument (JSON). */
export interface ProbeWorkerOptions {
  /** ClusterIP (or pod IP) to connect to. */
  host: string;
  port: number;
  path: string;
  /** Host header (the Service name as the user wrote it). */
  hostHeader: string;
  rate: number;
  durationMs: number;
  timeoutMs: number;
  runId: string;
}

/** One probe request as reported. */
export interface ProbeRecord {
  id: string;
  /** Epoch ms the request started. */
  start: number;
  latencyMs: number;
  /** HTTP status, 0 when none came. */
  status: number;
  ok: boolean;
  /** Why it failed: connect-refused, reset, timeout, http-<status>, or an errno code. */
  cause?: string;
  /** The pod that answered (from the reply), when one did. */
  pod?: string;
}

function causeOf(err: NodeJS.ErrnoException, timedOut: boolean): string {
  if (timedOut) return 'timeout';
  if (err.code === 'ECONNREFUSED') return 'connect-refused';
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return 'reset';
  if (err.code === 'ETIMEDOUT') return 'timeout';
  if (err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH') return 'unreachable';
  return err.code ?? 'error';
}

function probeOnce(o: ProbeWorkerOptions, seq: number, emit: (r: ProbeRecord) => void): void {
  const id = `${o.runId}-${seq}`;
  const start = Date.now();
  const t0 = performance.now();
  let done = false;
  let timedOut = false;
  const finish = (r: Omit<ProbeRecord, 'id' | 'start' | 'latencyMs'>) => {
    if (done) return;
    done = true;
    emit({ id, start, latencyMs: Math.round((performance.now() - t0) * 10) / 10, ...r });
  };
  const sep = o.path.includes('?') ? '&' : '?';
  const req = request(
    {
      host: o.host,
      port: o.port,
      path: `${o.path}${sep}probe=${id}`,
      headers: { host: o.hostHeader, 'x-kemu-probe-id': id, connection: 'close' },
      agent: false,
      timeout: o.timeoutMs,
    },
    (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        let pod: string | undefined;
        try {
          pod = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { pod?: string }).pod;
        } catch {
          // Not a kemu workload reply; the status is what counts.
        }
        const ok = status >= 200 && status < 400;
        finish({ status, ok, ...(ok ? {} : { cause: `http-${status}` }), ...(pod ? { pod } : {}) });
      });
      res.on('error', (err) => finish({ status: res.statusCode ?? 0, ok: false, cause: causeOf(err, timedOut) }));
    },
  );
  const hardStop = setTimeout(() => {
    timedOut = true;
    req.destroy(new Error('timeout'));
  }, o.timeoutMs);
  req.on('timeout', () => {
    timedOut = true;
    req.destroy(new Error('timeout'));
  });
  req.on('error', (err) => finish({ status: 0, ok: false, cause: causeOf(err, timedOut) }));
  req.on('close', () => clearTimeout(hardStop));
  req.end();
}

/** Sends requests at the fixed rate for the duration; resolves when every request has finished. */
export async function runProbe(o: ProbeWorkerOptions, emit: (r: ProbeRecord) => void): Promise<number> {
  const total = Math.max(1, Math.floor((o.durationMs * o.rate) / 1000));
  const intervalMs = 1000 / o.rate;
  const t0 = performance.now();
  let finished = 0;
  let allDone: () => void = () => undefined;
  const done = new Promise<void>((r) => {
    allDone = r;
  });
  const count = (r: ProbeRecord) => {
    emit(r);
    if (++finished === total) allDone();
  };
  let next = 0;
  const tick = () => {
    const due = Math.min(total, Math.floor((performance.now() - t0) / intervalMs) + 1);
    while (next < due) probeOnce(o, next++, count);
    if (next < total) setTimeout(tick, Math.max(0, t0 + next * intervalMs - performance.now()));
  };
  tick();
  await done;
  return total;
}

const arg = process.argv[2];
if (arg && process.argv[1]?.endsWith('probe-worker.js')) {
  const options = JSON.parse(arg) as ProbeWorkerOptions;
  process.stdout.on('error', () => process.exit(0));
  void runProbe(options, (r) => process.stdout.write(`${JSON.stringify(r)}\n`)).then(() => process.exit(0));
}
