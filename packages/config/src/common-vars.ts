/**
 * Variables several components read, defined once so each reads them the same way and
 * the reference gives one meaning.
 */
import { int, oneOf, string, urlList } from './var-types.js';

/** pino's levels. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A pino level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

const logLevelSpec = oneOf(LOG_LEVELS);

/** KEMU_LOG_LEVEL with the component's default. */
export function logLevelVar(fallback: LogLevel) {
  return logLevelSpec({
    env: 'KEMU_LOG_LEVEL',
    default: fallback,
    meaning: 'Lowest level of the JSON log lines written',
  });
}

const NATS_MEANING = 'NATS server(s) holding the event log; several (a NATS cluster) separated by commas';

/** KEMU_NATS_URL for a per-node component: no default, the node has no local NATS of its own. */
export const natsUrlRequired = urlList({
  env: 'KEMU_NATS_URL',
  protocols: ['nats:'],
  required: true,
  meaning: NATS_MEANING,
});

/** KEMU_NATS_URL for a control-plane component, which may run next to its NATS. */
export const natsUrlLocal = urlList({
  env: 'KEMU_NATS_URL',
  protocols: ['nats:'],
  default: ['nats://127.0.0.1:4222'],
  meaning: NATS_MEANING,
});

/** KEMU_STREAM_REPLICAS: replicas of the event stream when this process creates it. */
export const streamReplicas = int({
  env: 'KEMU_STREAM_REPLICAS',
  min: 1,
  max: 5,
  default: 1,
  meaning: 'Replicas of the event stream when this process creates it (3 on a NATS cluster; JetStream allows 5)',
});

/** KEMU_NODE for a per-node component. */
export const nodeName = string({ env: 'KEMU_NODE', required: true, meaning: 'Name of the node this process serves' });

/** KEMU_CLUSTER: the cluster's name. */
export const clusterName = string({
  env: 'KEMU_CLUSTER',
  default: 'local',
  meaning: 'Name of the cluster (netns, state and log names carry it)',
});

/** KEMU_STATE_DIR: the cluster's state directory. */
export const stateDir = string({
  env: 'KEMU_STATE_DIR',
  defaultText: '.kemu/<cluster>',
  meaning: "The cluster's state directory (PKI, container logs, supervisor state)",
});
