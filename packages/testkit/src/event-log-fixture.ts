/**
 * A real event log for integration tests: a nats-server on a free port with its own
 * JetStream store, a connected event log, a synced informer and an object writer, all
 * closed in reverse order by `await using` (or `close()` in an afterEach). Components
 * under test connect their own clients with `connect(name)`, as processes do; the
 * fixture closes those too.
 */
import {
  type EventLog,
  type Informer,
  type ObjectWriter,
  connectEventLog,
  createObjectWriter,
  startInformer,
} from '@kemu/eventlog';
import { type Logger, createLogger } from '@kemu/log';
import { type NatsServer, startNatsServer } from './nats-server.js';

/** The running fixture; dispose of it with `await using` or call `close()`. */
export interface EventLogFixture extends AsyncDisposable {
  readonly nats: NatsServer;
  /** The test's own connection (client name `test`). */
  readonly eventLog: EventLog;
  /** The test's informer over every resource, synced before the fixture is returned. */
  readonly informer: Informer;
  /** Writes objects as the fixture's actor (`{ component: 'test' }` unless told), as the apiserver would. */
  readonly api: ObjectWriter;
  /** A silent logger for the components under test. */
  readonly log: Logger;
  /** Connects another event-log client to the same server; closed by the fixture. */
  connect(name: string): Promise<EventLog>;
  /** Connects another client and starts a synced informer on it; both stopped by the fixture. */
  connectWithInformer(name: string): Promise<{ eventLog: EventLog; informer: Informer }>;
  /** Stops what it started, last first, then the server (and removes its store). */
  close(): Promise<void>;
}

/** Starts nats-server, connects the event log and syncs an informer on it; `component` and `node` name the writer's actor. */
export async function startEventLogFixture(
  options: { component?: string; node?: string } = {},
): Promise<EventLogFixture> {
  const log = createLogger({ component: 'test', level: 'silent' });
  const nats = await startNatsServer();
  const cleanups: (() => Promise<void>)[] = [];
  const connect = async (name: string) => {
    const eventLog = await connectEventLog({ servers: nats.url, name, log });
    cleanups.push(() => eventLog.close());
    return eventLog;
  };
  const connectWithInformer = async (name: string) => {
    const eventLog = await connect(name);
    const informer = await startInformer(eventLog, { log });
    cleanups.push(() => informer.stop());
    await informer.synced;
    return { eventLog, informer };
  };

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await nats.stop();
  };
  try {
    const { eventLog, informer } = await connectWithInformer('test');
    return {
      nats,
      eventLog,
      informer,
      api: createObjectWriter(eventLog, informer, {
        component: options.component ?? 'test',
        ...(options.node ? { node: options.node } : {}),
      }),
      log,
      connect,
      connectWithInformer,
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
