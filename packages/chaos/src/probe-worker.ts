/**
 * The steady-state probe's client, run by the chaos runner inside the client pod's netns
 * (`ip netns exec <pod> node probe-worker.js <json options>`), so each request goes
 * pod → cluster DNS (the Service name, resolved through the kube-dns ClusterIP as the
 * pod's resolv.conf says, cached for the answer's TTL like a client with a cache) →
 * ClusterIP → the node's proxy → a backend pod. Open loop: request i starts at
 * t0 + i/rate whatever earlier requests (and lookups) do. Each request opens a new
 * connection, carries its id in the path and in `x-kemu-probe-id`, and one JSON line per
 * request goes to stdout. No dependencies: it must run as a plain script in a pod.
 */
import { Resolver } from 'node:dns/promises';
import { request } from 'node:http';

/** Options the runner passes as the first argument (JSON). */
export interface ProbeWorkerOptions {
  /** ClusterIP (or pod IP) to connect to when `dns` is unset. */
  host: string;
  /** Resolve `dns.name` (an A record) through `dns.server` instead of connecting to `host`. */
  dns?: { server: string; name: string };
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
  /** Why it failed: dns-<code> (the lookup), connect-refused, reset, timeout, http-<status>, or an errno code. */
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

/** Resolves a name to an address, one lookup at a time, keeping the answer for its TTL. */
export type Lookup = () => Promise<string>;

/** Per-try timeout and tries of a lookup (glibc's are 5 s × 2; the probe's request timeout is shorter). */
const DNS_TRY_MS = 500;
const DNS_TRIES = 2;

/** A cached A lookup of `name` through `server`, as a stub resolver with a cache does it. */
export function cachedLookup(server: string, name: string, now: () => number = () => performance.now()): Lookup {
  const resolver = new Resolver({ timeout: DNS_TRY_MS, tries: DNS_TRIES });
  resolver.setServers([server]);
  let cached: { address: string; until: number } | undefined;
  let pending: Promise<string> | undefined;
  return () => {
    if (cached && now() < cached.until) return Promise.resolve(cached.address);
    pending ??= resolver
      .resolve4(name, { ttl: true })
      .then((answers) => {
        const first = answers[0];
        if (!first) throw Object.assign(new Error(`no A record for ${name}`), { code: 'ENODATA' });
        cached = { address: first.address, until: now() + Math.min(...answers.map((a) => a.ttl)) * 1000 };
        return first.address;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}

function probeOnce(
  o: ProbeWorkerOptions,
  seq: number,
  lookup: Lookup | undefined,
  emit: (r: ProbeRecord) => void,
): void {
  const id = `${o.runId}-${seq}`;
  const start = Date.now();
  const t0 = performance.now();
  let done = false;
  const finish = (r: Omit<ProbeRecord, 'id' | 'start' | 'latencyMs'>) => {
    if (done) return;
    done = true;
    emit({ id, start, latencyMs: Math.round((performance.now() - t0) * 10) / 10, ...r });
  };
  if (!lookup) {
    send(o, o.host, id, o.timeoutMs, finish);
    return;
  }
  // The request's timeout covers the lookup too, as a user's does.
  const lookupTimer = setTimeout(() => finish({ status: 0, ok: false, cause: 'dns-timeout' }), o.timeoutMs);
  lookup().then(
    (address) => {
      clearTimeout(lookupTimer);
      if (!done) send(o, address, id, Math.max(1, o.timeoutMs - (performance.now() - t0)), finish);
    },
    (err: NodeJS.ErrnoException) => {
      clearTimeout(lookupTimer);
      finish({ status: 0, ok: false, cause: `dns-${(err.code ?? 'error').toLowerCase()}` });
    },
  );
}

function send(
  o: ProbeWorkerOptions,
  host: string,
  id: string,
  timeoutMs: number,
  finish: (r: Omit<ProbeRecord, 'id' | 'start' | 'latencyMs'>) => void,
): void {
  let timedOut = false;
  const sep = o.path.includes('?') ? '&' : '?';
  const req = request(
    {
      host,
      port: o.port,
      path: `${o.path}${sep}probe=${id}`,
      headers: { host: o.hostHeader, 'x-kemu-probe-id': id, connection: 'close' },
      agent: false,
      timeout: timeoutMs,
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
  }, timeoutMs);
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
  const lookup = o.dns ? cachedLookup(o.dns.server, o.dns.name) : undefined;
  let next = 0;
  const tick = () => {
    const due = Math.min(total, Math.floor((performance.now() - t0) / intervalMs) + 1);
    while (next < due) probeOnce(o, next++, lookup, count);
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
