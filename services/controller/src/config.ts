/** The controller's settings, read from its environment by one schema. */
import {
  ConfigError,
  type ConfigOf,
  duration,
  hostPort,
  int,
  logLevelVar,
  natsNkeyFile,
  natsTlsCa,
  natsUrlLocal,
  parseEnv,
  streamReplicas,
} from '@kemu/config';
import { formatCidr, parseCidr } from '@kemu/api';
import { ipv4Cidr } from '@kemu/config/cidr';
import { podCidrRange, type PodCidrRange } from './pod-cidr-allocator.js';
import { DEFAULT_SNAPSHOT_OPTIONS, type SnapshotWriterOptions } from './snapshot-writer.js';

/** Every variable the controller reads. */
export const controllerSchema = {
  natsUrl: natsUrlLocal,
  natsNkeyFile,
  natsTlsCa,
  streamReplicas,
  logLevel: logLevelVar('info'),
  nodeGraceMs: duration({
    env: 'KEMU_NODE_GRACE_SECONDS',
    unit: 'seconds',
    positive: true,
    default: 40_000,
    meaning: 'A Node whose Lease is not renewed for this long turns Ready=Unknown (--node-monitor-grace-period)',
  }),
  podEvictionMs: duration({
    env: 'KEMU_POD_EVICTION_SECONDS',
    unit: 'seconds',
    default: 300_000,
    meaning: 'Pods on a NotReady/Unknown Node are evicted after this long (the default NoExecute toleration)',
  }),
  terminatedPodGcThreshold: int({
    env: 'KEMU_TERMINATED_POD_GC_THRESHOLD',
    min: 0,
    default: 12_500,
    meaning: 'Terminated pods kept before the pod GC deletes the oldest (--terminated-pod-gc-threshold)',
  }),
  clusterCidr: ipv4Cidr({
    env: 'KEMU_CLUSTER_CIDR',
    minPrefix: 8,
    maxPrefix: 30,
    default: parseCidr('10.244.0.0/16'),
    meaning: "The range Nodes' pod CIDRs are cut from (--cluster-cidr)",
  }),
  nodeCidrMaskSize: int({
    env: 'KEMU_NODE_CIDR_MASK_SIZE',
    min: 8,
    max: 30,
    default: 24,
    meaning: "Prefix length of each Node's pod CIDR (--node-cidr-mask-size)",
  }),
  cronJobTimeScale: int({
    env: 'KEMU_CRONJOB_TIME_SCALE',
    min: 1,
    default: 1,
    meaning:
      "The CronJob controller's clock runs this many times faster than real time from the controller's start (tests run `*/1` schedules in seconds)",
  }),
  snapshotEveryEvents: int({
    env: 'KEMU_SNAPSHOT_EVERY_EVENTS',
    min: 0,
    default: DEFAULT_SNAPSHOT_OPTIONS.everyEvents,
    meaning: 'Write an event-log snapshot once this many events came since the last (0: by time only)',
  }),
  snapshotEveryBytes: int({
    env: 'KEMU_SNAPSHOT_EVERY_BYTES',
    min: 0,
    default: DEFAULT_SNAPSHOT_OPTIONS.everyBytes ?? 0,
    meaning: 'Write an event-log snapshot once the records since the last add up to this many bytes (0: not by size)',
  }),
  snapshotIntervalMs: duration({
    env: 'KEMU_SNAPSHOT_INTERVAL_SECONDS',
    unit: 'seconds',
    default: DEFAULT_SNAPSHOT_OPTIONS.everyMs,
    meaning: 'Write a snapshot this long after the last when any event came (0: by count only; both 0: none)',
  }),
  metricsListen: hostPort({
    env: 'KEMU_CONTROLLER_METRICS_LISTEN',
    meaning:
      "Address of the controller's /metrics and /healthz, plain HTTP (kube-controller-manager's :10257; unset: not served)",
  }),
  snapshotKeep: int({
    env: 'KEMU_SNAPSHOT_KEEP',
    min: 1,
    default: DEFAULT_SNAPSHOT_OPTIONS.keep,
    meaning: 'Snapshots kept, newest first',
  }),
};

/** The controller's configuration. */
export interface ControllerConfig
  extends Omit<
    ConfigOf<typeof controllerSchema>,
    | 'clusterCidr'
    | 'nodeCidrMaskSize'
    | 'snapshotEveryEvents'
    | 'snapshotEveryBytes'
    | 'snapshotIntervalMs'
    | 'snapshotKeep'
  > {
  podCidrRange: PodCidrRange;
  /** Undefined: no snapshot writer (every trigger 0). */
  snapshots: SnapshotWriterOptions | undefined;
}

/** Reads the controller's configuration; throws ConfigError naming a bad variable. */
export function configFromEnv(env: NodeJS.ProcessEnv): ControllerConfig {
  const {
    clusterCidr,
    nodeCidrMaskSize,
    snapshotEveryEvents,
    snapshotEveryBytes,
    snapshotIntervalMs,
    snapshotKeep,
    ...rest
  } = parseEnv(controllerSchema, env);
  if (nodeCidrMaskSize < clusterCidr.prefixLength)
    throw new ConfigError(
      'KEMU_NODE_CIDR_MASK_SIZE',
      `KEMU_NODE_CIDR_MASK_SIZE must be ${clusterCidr.prefixLength}-30 for KEMU_CLUSTER_CIDR ${formatCidr(clusterCidr)}, got ${nodeCidrMaskSize}`,
    );
  const snapshots =
    snapshotEveryEvents === 0 && snapshotEveryBytes === 0 && snapshotIntervalMs === 0
      ? undefined
      : {
          everyEvents: snapshotEveryEvents,
          everyBytes: snapshotEveryBytes,
          everyMs: snapshotIntervalMs,
          keep: snapshotKeep,
        };
  return { ...rest, podCidrRange: podCidrRange(formatCidr(clusterCidr), nodeCidrMaskSize), snapshots };
}
