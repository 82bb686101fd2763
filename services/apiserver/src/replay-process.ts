/**
 * The apiserver process in replay mode (KEMU_APISERVER_REPLAY_AT): what runComponent does
 * for the live apiserver, without an informer — connect, build the projection at the
 * moment (replay-mode.ts), close the log, serve read-only on every listen address and log
 * `apiserver replay ready` with `seq`, `at` and the bound `addresses`, which `kemu replay`
 * waits for. SIGTERM/SIGINT stop the server and exit 0; a failure (NothingToReplay) is
 * logged as fatal with its code and exits 1.
 */
import { connectEventLog, type EventLog } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { exitOnFailure, exitOnSignals } from '@kemu/runtime';
import { readFileSync } from 'node:fs';
import type { ApiserverConfig } from './config.js';
import type { ApiServer } from './http/server.js';
import { parseTokenFile } from './http/authn.js';
import { type ReplayAt, createReplayServer } from './replay-mode.js';

/** Runs the replay apiserver; resolves once it serves, and the process ends on a signal. */
export async function runReplayProcess(config: ApiserverConfig & { replayAt: ReplayAt }): Promise<void> {
  const log = createLogger({ component: 'apiserver', level: config.logLevel });
  let eventLog: EventLog | undefined;
  let server: ApiServer | undefined;
  exitOnSignals(
    async () => {
      await server?.close();
      await eventLog?.close().catch(() => undefined);
    },
    { onSignal: (signal) => log.info({ signal }, 'shutting down') },
  );
  try {
    eventLog = await connectEventLog({
      servers: [...config.natsUrl],
      name: `apiserver-replay-${config.cluster}-${process.pid}`,
      log,
      replicas: config.streamReplicas,
    });
    const replay = await createReplayServer({
      eventLog,
      at: config.replayAt,
      cluster: config.cluster,
      serviceCidr: config.serviceCidr,
      log,
      tls: { cert: readFileSync(config.certFile), key: readFileSync(config.keyFile) },
      tokens: parseTokenFile(readFileSync(config.tokenFile, 'utf8')),
    });
    await eventLog.close();
    eventLog = undefined;
    server = replay.server;
    const addresses = await server.listen(config.listen);
    log.info({ seq: replay.seq, at: replay.time?.toISOString(), addresses }, 'apiserver replay ready');
  } catch (err) {
    exitOnFailure((e) => log.fatal({ err: e }, 'apiserver replay failed'))(err);
  }
}
