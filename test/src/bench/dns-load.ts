/**
 * A small UDP DNS load generator, run inside a netns by the dns benchmark:
 * `node dns-load.js HOST PORT SECONDS OUTSTANDING NAME...`. It keeps OUTSTANDING queries
 * (type A, names in turn) in flight on one socket, sends the next one as each answer
 * arrives, counts a query unanswered after 500 ms as lost (and replaces it), and prints
 * one JSON line: answered queries per second and latency percentiles in microseconds.
 */
import { createSocket } from 'node:dgram';
import { performance } from 'node:perf_hooks';

/** What one run measured. */
export interface LoadResult {
  qps: number;
  p50Micros: number;
  p99Micros: number;
  answered: number;
  lost: number;
  errors: number;
}

/** A DNS query for `name` type A with ID 0, RD set. */
export function buildQuery(name: string): Buffer {
  const labels = name.split('.').filter(Boolean);
  const parts = [Buffer.from([0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const l of labels) parts.push(Buffer.from([l.length]), Buffer.from(l, 'latin1'));
  parts.push(Buffer.from([0, 0, 1, 0, 1]));
  return Buffer.concat(parts);
}

/** Runs the load for `seconds` against host:port. */
export function runLoad(
  host: string,
  port: number,
  seconds: number,
  outstanding: number,
  names: string[],
): Promise<LoadResult> {
  const templates = names.map(buildQuery);
  const sentAt = new Float64Array(65536);
  const latencies: number[] = [];
  const socket = createSocket('udp4');
  let nextId = 0;
  let nextName = 0;
  let answered = 0;
  let lost = 0;
  let errors = 0;
  let measuring = false;
  let running = true;

  const send = () => {
    if (!running) return;
    let id = nextId;
    while (sentAt[id] !== 0) id = (id + 1) & 0xffff;
    nextId = (id + 1) & 0xffff;
    const q = Buffer.from(templates[nextName] as Buffer);
    nextName = (nextName + 1) % templates.length;
    q.writeUInt16BE(id, 0);
    sentAt[id] = performance.now();
    socket.send(q, port, host);
  };

  socket.on('error', () => errors++);
  socket.on('message', (msg) => {
    if (msg.length < 12) return;
    const id = msg.readUInt16BE(0);
    const t = sentAt[id] as number;
    if (t === 0) return;
    sentAt[id] = 0;
    if (measuring) {
      answered++;
      latencies.push((performance.now() - t) * 1000);
      if ((msg[3] as number) & 0xf) errors++;
    }
    send();
  });

  return new Promise((resolve) => {
    socket.bind(0, () => {
      for (let i = 0; i < outstanding; i++) send();
      const sweep = setInterval(() => {
        const now = performance.now();
        for (let id = 0; id < 65536; id++) {
          const t = sentAt[id] as number;
          if (t !== 0 && now - t > 500) {
            sentAt[id] = 0;
            lost++;
            send();
          }
        }
      }, 100);
      // Half a second of warm-up (JIT, caches), then the measured window.
      setTimeout(() => {
        measuring = true;
        const started = performance.now();
        setTimeout(() => {
          measuring = false;
          running = false;
          const elapsed = (performance.now() - started) / 1000;
          clearInterval(sweep);
          socket.close();
          latencies.sort((a, b) => a - b);
          const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
          resolve({
            qps: answered / elapsed,
            p50Micros: at(0.5),
            p99Micros: at(0.99),
            answered,
            lost,
            errors,
          });
        }, seconds * 1000);
      }, 500);
    });
  });
}

const [, script, host, port, seconds, outstanding, ...names] = process.argv;
if (script?.endsWith('dns-load.js') && host && port) {
  runLoad(host, Number(port), Number(seconds ?? 3), Number(outstanding ?? 32), names.length ? names : ['a.b'])
    .then((r) => process.stdout.write(`${JSON.stringify(r)}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    });
}
