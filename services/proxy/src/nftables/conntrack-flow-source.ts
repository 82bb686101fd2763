/**
 * The nftables mode's flow recording, assembled: a `conntrack -E` watcher on the service
 * CIDR in the node netns, the event-to-record table looking up what the proxier
 * committed, counter listings, the sink handing records to the flow recorder, the
 * event mask that keeps every other flow's events out of the kernel's work, and the
 * sampling rate that bounds what recording costs under a connection storm.
 * A UDP flow ends when its entry expires (30 s idle), but the kernel reports that only
 * when its garbage collector or a listing walks the entry; while flows are open, a UDP
 * listing every REAP_EVERY_MS (spaced by four times its duration) brings those DESTROY
 * events within seconds of the expiry.
 */
import type { ConnectionFlow } from '@kemu/flows';
import type { Logger } from '@kemu/log';
import { createCounterReader } from './conntrack-counters.js';
import { type ConntrackFlowTableOptions, createConntrackFlowTable } from './conntrack-flow-table.js';
import { type ConntrackFlowsStats, createConntrackFlows } from './conntrack-flows.js';
import { applyEventMask, removeEventMask, weightOfMark } from './conntrack-event-mask.js';
import { startSampleRate } from '../flow-sample-rate.js';
import { watchConntrackEvents } from './conntrack-watch.js';
import { createNft } from './nft.js';

/**
 * UPDATE events the flow table has no use for, dropped before parsing (about half of a
 * short TCP connection's events): the TCP states between the handshake and the close,
 * and UDP updates (a DESTROY says whether the flow was ever answered).
 */
export const UNUSED_UPDATES = /\[UPDATE\] (?:tcp\s+6\s+\d+\s+(?:SYN_RECV|FIN_WAIT|CLOSE_WAIT|LAST_ACK)\s|udp\s)/;

/** How often expired UDP entries are reaped while flows are open. */
export const REAP_EVERY_MS = 2_000;

/** What the source needs. */
export interface ConntrackFlowSourceOptions {
  node: string;
  serviceCIDR: string;
  /** Named netns to watch; absent means the current one (the proxy runs in its node netns). */
  netns?: string;
  lookup: ConntrackFlowTableOptions['lookup'];
  record(flow: ConnectionFlow): void;
  /** New service flows per second followed in full; above, the kernel samples (flow-sample-rate.ts). */
  maxFlowsPerSecond: number;
  log: Logger;
}

/** A running source. */
export interface ConntrackFlowSource {
  /** Resolves once the event mask is in place and conntrack has subscribed to events. */
  ready: Promise<void>;
  stats(): ConntrackFlowsStats & { sampleEvery: number };
  stop(): void;
}

/** Starts watching conntrack events and recording flows. */
export function startConntrackFlowSource(options: ConntrackFlowSourceOptions): ConntrackFlowSource {
  const { log } = options;
  const where = options.netns ? { netns: options.netns } : {};
  const nft = createNft(where);
  const masked = applyEventMask(nft, options.serviceCIDR).catch((err: unknown) =>
    log.warn({ err }, 'conntrack event mask not applied: every flow in the node netns sends events'),
  );
  const sampling = startSampleRate({
    maxPerSecond: options.maxFlowsPerSecond,
    apply: (every) => applyEventMask(nft, options.serviceCIDR, every),
    log,
  });
  const flows = createConntrackFlows({
    table: createConntrackFlowTable({ node: options.node, lookup: options.lookup }),
    readCounters: createCounterReader({ ...where, serviceCIDR: options.serviceCIDR }),
    record: options.record,
    log,
  });
  const listUdp = createCounterReader({ ...where, serviceCIDR: options.serviceCIDR, protocol: 'udp' });
  let reaping = false;
  let nextReapAt = 0;
  const reaper = setInterval(() => {
    if (reaping || Date.now() < nextReapAt || flows.stats().open === 0) return;
    reaping = true;
    const t0 = Date.now();
    void listUdp().finally(() => {
      reaping = false;
      nextReapAt = Date.now() + 4 * (Date.now() - t0);
    });
  }, REAP_EVERY_MS);
  reaper.unref();
  const watch = watchConntrackEvents({
    ...where,
    destination: options.serviceCIDR,
    skip: UNUSED_UPDATES,
    onEvent: (e) => {
      if (e.type === 'NEW') sampling.onFollowed(weightOfMark(e.mark));
      flows.onEvent(e);
    },
    onEventsLost: flows.onEventsLost,
    onExit: (code) => {
      if (code !== null) log.warn({ code }, 'conntrack event watcher ended: no flow records');
    },
  });
  return {
    ready: Promise.all([masked, watch.ready]).then(() => undefined),
    stats: () => ({ ...flows.stats(), sampleEvery: sampling.every() }),
    stop() {
      clearInterval(reaper);
      sampling.stop();
      watch.stop();
      flows.stop();
      removeEventMask(nft).catch((err: unknown) => log.debug({ err }, 'conntrack event mask not removed'));
    },
  };
}
