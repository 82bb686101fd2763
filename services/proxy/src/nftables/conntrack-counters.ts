/**
 * Reads the byte counters of the live conntrack entries to the service CIDR that the
 * event mask follows, keyed by entry id: one `conntrack -L -p <protocol> -d <serviceCIDR>
 * -m <sampled mark> -o id` listing, streamed line by line (the kernel leaves the flows
 * sampling skipped out of it). conntrack prints counters on events only at DESTROY, two
 * minutes after a clean close (TIME_WAIT); a listing gets them while the entry still
 * exists, for every ended flow at once, so its cost does not grow with the connection
 * rate. A listing also makes the kernel destroy the expired entries it walks, whose
 * DESTROY events (with counters) would otherwise wait for conntrack's garbage collector,
 * up to a minute.
 */
import { spawn } from 'node:child_process';
import { SAMPLED_MARK_FILTER } from './conntrack-event-mask.js';
import { parseConntrackEntry } from './conntrack-events.js';

/** Bytes of one entry in each direction. */
export interface EntryCounters {
  /** Client → endpoint (the original direction). */
  bytesIn: number;
  /** Endpoint → client (the reply direction). */
  bytesOut: number;
}

/** One listing: entry id → counters, for the ids `wanted` accepts (all when absent). */
export type ReadCounters = (wanted?: (id: number) => boolean) => Promise<Map<number, EntryCounters>>;

/** Where to list. */
export interface CounterReaderOptions {
  /** Named netns to enter with `ip netns exec`; absent means the current one. */
  netns?: string;
  serviceCIDR: string;
  /** Default tcp. */
  protocol?: 'tcp' | 'udp';
}

/** Creates a reader of the service CIDR's entry counters; a failed listing resolves with what it read. */
export function createCounterReader(options: CounterReaderOptions): ReadCounters {
  const args = [
    '-L',
    '-p',
    options.protocol ?? 'tcp',
    '-d',
    options.serviceCIDR,
    '-m',
    SAMPLED_MARK_FILTER,
    '-o',
    'id',
  ];
  return (wanted) =>
    new Promise((resolve) => {
      const out = new Map<number, EntryCounters>();
      const child = options.netns
        ? spawn('ip', ['netns', 'exec', options.netns, 'conntrack', ...args], { stdio: ['ignore', 'pipe', 'ignore'] })
        : spawn('conntrack', args, { stdio: ['ignore', 'pipe', 'ignore'] });
      child.on('error', () => resolve(out));
      // A listing has an entry per connection of the last two minutes (TIME_WAIT): lines are
      // cut by hand and most are dropped on their id alone, without a full parse.
      let rest = '';
      const onLine = (line: string) => {
        const at = line.lastIndexOf(' id=');
        if (wanted && (at < 0 || !wanted(Number.parseInt(line.slice(at + 4), 10)))) return;
        const e = parseConntrackEntry(line);
        if (e?.id !== undefined && e.original.bytes !== undefined && e.reply.bytes !== undefined) {
          out.set(e.id, { bytesIn: e.original.bytes, bytesOut: e.reply.bytes });
        }
      };
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        const text = rest + chunk;
        let start = 0;
        for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
          onLine(text.slice(start, nl));
          start = nl + 1;
        }
        rest = text.slice(start);
      });
      child.stdout.on('end', () => {
        if (rest) onLine(rest);
        resolve(out);
      });
    });
}
