/**
 * The controller manager: builds every controller on one informer and one writer,
 * starts them only once the informer has synced (nothing is written from a partial
 * view), relists at start so that changes made while the process was down are acted
 * on, and resyncs periodically so a key dropped after its retries is tried again.
 */
import type { EventLog, Informer } from '@kemu/eventlog';
import { createObjectWriter } from '@kemu/eventlog';
import type { Logger } from '@kemu/log';
import type { Controller, ControllerDeps } from './controller.js';
import { createDeploymentController } from './deployment-controller.js';
import { createEndpointSliceController } from './endpoint-slice-controller.js';
import { createEndpointsController } from './endpoints-controller.js';
import { createEventTtlController, DEFAULT_EVENT_TTL_MS } from './event-ttl.js';
import { type CronJobClock, createCronJobController } from './cronjob-controller.js';
import { createDaemonSetController } from './daemonset-controller.js';
import { createJobController } from './job-controller.js';
import { createIPAddressGC } from './ip-address-gc.js';
import { createNodeIpamController } from './node-ipam-controller.js';
import { createNodeLifecycleController } from './node-lifecycle.js';
import { createPodGcController, DEFAULT_TERMINATED_POD_GC_THRESHOLD } from './pod-gc.js';
import { type PodCidrRange, podCidrRange } from './pod-cidr-allocator.js';
import { createReplicaSetController } from './replicaset-controller.js';
import { createScheduler } from './scheduler.js';
import { createServiceAccountsController } from './serviceaccounts-controller.js';
import { createStatefulSetController } from './statefulset-controller.js';
import { type SnapshotWriter, type SnapshotWriterOptions, startSnapshotWriter } from './snapshot-writer.js';

/** What the controller manager runs on, and its timings. */
export interface ControllerManagerOptions {
  eventLog: EventLog;
  /** An informer over all resources. */
  informer: Informer;
  log: Logger;
  /** Heartbeat age after which a node is Unknown (default 40 s). */
  nodeGraceMs?: number;
  /** How long pods stay on a not-ready node before they are evicted (default 300 s). */
  podEvictionMs?: number;
  /** How often nodes are checked (default 2 s). */
  nodeMonitorPeriodMs?: number;
  /** Age an orphaned IPAddress must reach before it is deleted (default 10 s). */
  ipAddressGraceMs?: number;
  /** Full resync period of every controller; 0 turns it off (default 5 min). */
  resyncPeriodMs?: number;
  /** Age after its last occurrence at which an Event is deleted (default 1 h, as --event-ttl). */
  eventTtlMs?: number;
  /** Terminated pods kept before PodGC deletes the oldest (default 12500, as --terminated-pod-gc-threshold; 0: off). */
  terminatedPodGcThreshold?: number;
  /** The clock (default: the system clock). */
  now?: () => Date;
  /** The CronJob controller's clock (default: the controllers' clock at real speed). */
  cronJobClock?: CronJobClock;
  /** Write event-log snapshots of the informer's view (default: none). */
  snapshots?: SnapshotWriterOptions;
  /** Cluster CIDR the node IPAM controller cuts pod CIDRs from (default 10.244.0.0/16, /24 per node). */
  podCidrRange?: PodCidrRange;
}

/** The running set of controllers. */
export interface ControllerManager {
  readonly controllers: readonly Controller[];
  /** Waits for the informer to sync, then relists and starts every controller. */
  run(): Promise<void>;
  /** Resolves once every controller's queue has been empty (a sync may still queue work for another). */
  idle(): Promise<void>;
  /** Stops every controller (not the informer or the event log, which the caller owns). */
  stop(): Promise<void>;
}

/** Creates the controllers; their handlers only queue keys until run() starts them. */
export function createControllerManager(options: ControllerManagerOptions): ControllerManager {
  const { informer, log } = options;
  const deps: ControllerDeps = {
    informer,
    writer: createObjectWriter(options.eventLog, informer, { component: 'controller' }),
    log,
    now: options.now ?? (() => new Date()),
  };
  const controllers: Controller[] = [
    createScheduler(deps),
    createEndpointsController(deps),
    createReplicaSetController(deps),
    createDeploymentController(deps),
    createStatefulSetController(deps),
    createDaemonSetController(deps),
    createJobController(deps),
    createCronJobController(deps, options.cronJobClock ?? { now: deps.now, scale: 1 }),
    createEndpointSliceController(deps),
    createIPAddressGC(deps, { graceMs: options.ipAddressGraceMs ?? 10_000 }),
    createNodeIpamController(deps, options.podCidrRange ?? podCidrRange('10.244.0.0/16', 24)),
    createNodeLifecycleController(deps, {
      graceMs: options.nodeGraceMs ?? 40_000,
      monitorPeriodMs: options.nodeMonitorPeriodMs ?? 2_000,
      evictionMs: options.podEvictionMs,
    }),
    createEventTtlController(deps, { ttlMs: options.eventTtlMs ?? DEFAULT_EVENT_TTL_MS, periodMs: 60_000 }),
    createServiceAccountsController(deps),
    createPodGcController(deps, {
      threshold: options.terminatedPodGcThreshold ?? DEFAULT_TERMINATED_POD_GC_THRESHOLD,
    }),
  ];
  const resyncPeriodMs = options.resyncPeriodMs ?? 300_000;
  let resync: NodeJS.Timeout | undefined;
  let stopped = false;
  let snapshotWriter: SnapshotWriter | undefined;

  return {
    controllers,
    async run() {
      await informer.synced;
      if (stopped) return;
      // Same tick as start(): no change can slip between the relist and the handlers.
      for (const c of controllers) {
        c.enqueueAll();
        c.start();
      }
      if (resyncPeriodMs > 0) {
        resync = setInterval(() => {
          for (const c of controllers) c.enqueueAll();
        }, resyncPeriodMs);
        resync.unref();
      }
      if (options.snapshots)
        snapshotWriter = startSnapshotWriter({ eventLog: options.eventLog, informer, log }, options.snapshots);
      log.info({ seq: informer.view.seq, controllers: controllers.map((c) => c.name) }, 'controllers running');
    },
    async idle() {
      await Promise.all(controllers.map((c) => c.idle()));
    },
    async stop() {
      stopped = true;
      if (resync) clearInterval(resync);
      await snapshotWriter?.stop();
      await Promise.all(controllers.map((c) => c.stop()));
      log.info('controllers stopped');
    },
  };
}
