/**
 * The component runtime: what every kemu component process does around its own
 * components, in order — logger, event-log connection, informer start, the component's
 * start, then signals: SIGTERM/SIGINT run the component's stop, then the informer's and
 * the connection's, and exit 0; a failure while starting is logged as fatal and exits 1.
 * Every component gets its metrics registry (component-metrics.ts) with its start.
 * A `main.ts` reads its config, calls runComponent and wires its components in `start`.
 */
import type { LogLevel } from '@kemu/config';
import {
  connectEventLog,
  type EventLog,
  type Informer,
  type InformerOptions,
  type SecretCipher,
  startInformer,
} from '@kemu/eventlog';
import { createLogger, type Logger } from '@kemu/log';
import type { MetricsRegistry } from '@kemu/metrics';
import { instrumentComponent } from './component-metrics.js';
import { exitOnFailure, exitOnSignals } from './process-exit.js';

/** Where a component process logs and which part of the event log it follows. */
export interface ComponentOptions {
  /** The logger's `component` (kube-proxy, dns, node-agent, apiserver, controller). */
  component: string;
  /** The node, bound on every log line of a per-node component. */
  node?: string;
  logLevel: LogLevel;
  /** NATS server URLs of the event log. */
  natsUrl: readonly string[];
  /** The component's NATS credential (seed file); undefined: none. */
  natsNkeyFile?: string | undefined;
  /** CA of the NATS server's certificate; set: TLS. */
  natsTlsCa?: string | undefined;
  /** The connection name the server shows. */
  connectionName: string;
  /** Replicas of the event stream if this process creates it. */
  streamReplicas: number;
  /** Resources the informer follows; with `objects` omitted too, the whole log. */
  resources?: readonly string[];
  /** Single objects the informer follows besides `resources` (a component's own mirror pod). */
  objects?: InformerOptions['objects'];
  /** Follow only this node's pod status records (a node-agent: its own pods'). */
  ownPodsOf?: string;
  /** Encrypts Secrets written and decrypts Secrets read (apiserver, node-agent); others see them sealed. */
  cipher?: SecretCipher;
}

/** What the runtime hands a component's start. */
export interface ComponentContext {
  log: Logger;
  eventLog: EventLog;
  /** Started, not necessarily synced: await `informer.synced` before writing. */
  informer: Informer;
  /** The process's Prometheus registry (process and event-log metrics registered), for its /metrics. */
  metrics: MetricsRegistry;
}

/** Stops what a component's start started (not the informer or the connection). */
export type StopComponent = () => Promise<void> | void;

/** Runs one component process; resolves once started, and the process ends on a signal. */
export async function runComponent(
  options: ComponentOptions,
  start: (ctx: ComponentContext) => Promise<StopComponent>,
): Promise<void> {
  const log = createLogger({ component: options.component, node: options.node ?? null, level: options.logLevel });
  let eventLog: EventLog | undefined;
  let informer: Informer | undefined;
  let stopComponent: StopComponent | undefined;
  exitOnSignals(
    async () => {
      await stopComponent?.();
      await informer?.stop().catch(() => undefined);
      await eventLog?.close().catch(() => undefined);
    },
    {
      onSignal: (signal) => log.info({ signal }, 'shutting down'),
      onStopError: (err) => log.error({ err }, 'stop failed'),
    },
  );
  try {
    const connected = await connectEventLog({
      servers: [...options.natsUrl],
      name: options.connectionName,
      log,
      replicas: options.streamReplicas,
      ...(options.cipher ? { cipher: options.cipher } : {}),
      ...(options.natsNkeyFile ? { nkeyFile: options.natsNkeyFile } : {}),
      ...(options.natsTlsCa ? { tlsCaFile: options.natsTlsCa } : {}),
    });
    const instrumented = instrumentComponent(connected, () => informer);
    eventLog = instrumented.eventLog;
    informer = await startInformer(eventLog, {
      ...(options.resources ? { resources: options.resources } : {}),
      ...(options.objects ? { objects: options.objects } : {}),
      ...(options.ownPodsOf ? { node: options.ownPodsOf } : {}),
      ...(options.cipher ? { cipher: options.cipher } : {}),
      log,
    });
    stopComponent = await start({ log, eventLog, informer, metrics: instrumented.registry });
  } catch (err) {
    exitOnFailure((e) => log.fatal({ err: e }, `${options.component} failed`))(err);
  }
}
