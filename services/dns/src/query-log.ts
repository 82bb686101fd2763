/**
 * The query log: one JSON line per answered query, in exactly the shape of a pino line
 * of @kemu/log (level 30, ISO time, component dns, node, pid, then name, type, rcode, ms,
 * client, proto and msg "query"), so `kubectl logs -n kube-system -l k8s-app=kube-dns`
 * shows it next to the process's other lines. The lines are formatted here and written
 * in batches (every `flushMs`, or once `bufferBytes` are pending) rather than through
 * pino: pino's serializer and one write per line cost the server about 40% of its query
 * rate, this costs a few percent. Whole lines are written, with O_APPEND on the log
 * file, so they interleave cleanly with the process logger's lines.
 */
import { writeSync } from 'node:fs';
import type { QueryEvent } from './udp-server.js';

/** Where and how the query log writes. */
export interface QueryLogOptions {
  node: string;
  /** File descriptor to write to (stdout by default). */
  fd?: number;
  flushMs?: number;
  /** Pending bytes that trigger a write. */
  bufferBytes?: number;
}

/** Writes query lines. */
export interface QueryLog {
  write(event: QueryEvent): void;
  /** Writes what is pending now. */
  flush(): void;
  close(): void;
}

/** A JSON string literal; names may hold `"` or `\` (a label may hold any byte). */
function jsonString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return JSON.stringify(s);
  }
  return `"${s}"`;
}

/** Creates a batched query log. */
export function createQueryLog(options: QueryLogOptions): QueryLog {
  const fd = options.fd ?? 1;
  const limit = options.bufferBytes ?? 16_384;
  const head = `{"level":30,"time":"`;
  const identity = `","component":"dns","node":${jsonString(options.node)},"pid":${process.pid},"name":`;
  let pending = '';
  let lastMs = 0;
  let lastTime = '';

  function flush(): void {
    if (pending.length === 0) return;
    const chunk = pending;
    pending = '';
    try {
      writeSync(fd, chunk);
    } catch {
      // A full pipe or a closed fd: the query log is best effort, the queries are not.
    }
  }

  const timer = setInterval(flush, options.flushMs ?? 200);
  timer.unref();

  return {
    write(e) {
      const now = Date.now();
      if (now !== lastMs) {
        lastMs = now;
        lastTime = new Date(now).toISOString();
      }
      pending += `${head}${lastTime}${identity}${jsonString(e.name)},"type":"${e.type}","rcode":"${e.rcode}","ms":${Math.round(e.ms * 1000) / 1000},"client":"${e.client}","proto":"${e.proto}","msg":"query"}\n`;
      if (pending.length >= limit) flush();
    },
    flush,
    close() {
      clearInterval(timer);
      flush();
    },
  };
}
