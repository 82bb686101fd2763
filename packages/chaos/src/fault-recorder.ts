/**
 * Injection and its record on the event log as one step, for `kemu chaos run` and the
 * one-off commands (`kemu chaos kill-pod` …) alike, so every fault reaches the dashboard's
 * chaos timeline and `kemu replay` the same way: each injected fault gets the log's
 * sequences around it and a ChaosInjected Event, its end a ChaosEnded Event, and a proxy
 * seen dropping its endpoint a ChaosEndpointLeftProxy Event (fault-events.ts). Posting
 * never holds up a fault; `settled` waits for it.
 */
import { connectEventLog, type EventLog } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import type { ChaosCluster } from './chaos-cluster.js';
import type { Experiment } from './experiment.js';
import { createFaultEventPoster } from './fault-events.js';
import { type ActiveFault, type InjectContext, injectFaults } from './fault-injectors.js';

/** Injects an experiment's faults and records them. */
export interface FaultRecorder {
  /** Picks targets and injects the fault into each (one tick), each recorded as ChaosInjected. */
  inject(): Promise<ActiveFault[]>;
  /** Ends a fault (idempotent, as ActiveFault.end) and records ChaosEnded when undoing it did something. */
  end(f: ActiveFault): Promise<void>;
  /** Records that `node`'s proxy no longer had the fault's endpoint at `atMs`. */
  endpointLeft(f: ActiveFault, node: string, atMs: number): void;
  /** Resolves once every Event is posted (or given up on, in `errors`). */
  settled(): Promise<void>;
}

/** Connects to the cluster's event log as the chaos runner (for the sequences around each fault). */
export function connectChaosLog(cluster: ChaosCluster): Promise<EventLog> {
  return connectEventLog({
    servers: cluster.natsUrl,
    ...(cluster.natsNkeyFile ? { nkeyFile: cluster.natsNkeyFile } : {}),
    ...(cluster.natsTlsCa ? { tlsCaFile: cluster.natsTlsCa } : {}),
    name: 'kemu-chaos',
    log: createLogger({ component: 'kemu-chaos', level: 'silent' }),
  });
}

/** A recorder for `experiment`'s faults; failures to record go to `errors`. */
export function createFaultRecorder(o: {
  experiment: Experiment;
  context: InjectContext;
  eventLog: EventLog;
  errors: string[];
}): FaultRecorder {
  const { experiment, context, eventLog } = o;
  const events = createFaultEventPoster(context.cluster, experiment.name, o.errors);
  const lastSeq = () => eventLog.lastSequence().catch(() => 0);
  return {
    async inject() {
      const before = await lastSeq();
      const faults = await injectFaults(experiment, context);
      const start = await lastSeq();
      for (const f of faults) {
        f.record.log = { before, start };
        events.post(f.record, 'ChaosInjected', f.record.startMs);
      }
      return faults;
    },
    async end(f) {
      if (f.record.log && f.record.log.lastInside === undefined) f.record.log.lastInside = await lastSeq();
      await f.end();
      events.post(f.record, 'ChaosEnded', f.record.endMs ?? Date.now());
      if (f.record.log && f.record.log.end === undefined) f.record.log.end = await lastSeq();
    },
    endpointLeft(f, node, atMs) {
      events.post(f.record, 'ChaosEndpointLeftProxy', atMs, node);
    },
    settled: () => events.settled(),
  };
}
