/**
 * kemu apiserver process: env → logger → event log → informer (all resources) → synced →
 * bootstrap → HTTPS (KEMU_APISERVER_CERT/KEY, bearer tokens from KEMU_APISERVER_TOKEN_FILE)
 * on every KEMU_APISERVER_LISTEN address → shutdown on SIGTERM/SIGINT. With
 * KEMU_APISERVER_REPLAY_AT (`kemu replay`) it serves the log's projection at that moment,
 * read-only, instead (replay-mode.ts).
 */
import { formatCidr, parseServiceCidr } from '@kemu/api';
import { connectEventLog, createObjectWriter, startInformer } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { readFileSync } from 'node:fs';
import { parseTokenFile } from './authn.js';
import { bootstrap } from './bootstrap.js';
import { createReplayServer, parseReplayAt } from './replay-mode.js';
import { type ApiServer, createApiServer } from './server.js';

const natsUrl = process.env.KEMU_NATS_URL ?? 'nats://127.0.0.1:4222';
const listen = (process.env.KEMU_APISERVER_LISTEN ?? '127.0.0.1:6443')
  .split(',')
  .map((a) => a.trim())
  .filter((a) => a !== '');
const advertise = process.env.KEMU_APISERVER_ADVERTISE || undefined;
const serviceCidr = parseServiceCidr(process.env.KEMU_SERVICE_CIDR ?? '10.96.0.0/12');
const cluster = process.env.KEMU_CLUSTER ?? 'local';
const certFile = process.env.KEMU_APISERVER_CERT;
const keyFile = process.env.KEMU_APISERVER_KEY;
const tokenFile = process.env.KEMU_APISERVER_TOKEN_FILE;
if (!certFile || !keyFile || !tokenFile) {
  process.stderr.write(
    'apiserver: KEMU_APISERVER_CERT, KEMU_APISERVER_KEY and KEMU_APISERVER_TOKEN_FILE are required\n',
  );
  process.exit(2);
}
const tls = { cert: readFileSync(certFile), key: readFileSync(keyFile) };
const tokens = parseTokenFile(readFileSync(tokenFile, 'utf8'));
const replayAt = process.env.KEMU_APISERVER_REPLAY_AT ? parseReplayAt(process.env.KEMU_APISERVER_REPLAY_AT) : undefined;

const log = createLogger({ component: 'apiserver', level: process.env.KEMU_LOG_LEVEL });
log.info(
  { natsUrl, listen, advertise, serviceCidr: formatCidr(serviceCidr), cluster, certFile, tokens: tokens.length },
  'apiserver starting',
);

const eventLog = await connectEventLog({ servers: natsUrl, name: `apiserver-${cluster}-${process.pid}`, log });
let server: ApiServer;
let informer: { stop(): Promise<void> } | undefined;
if (replayAt !== undefined) {
  const replay = await createReplayServer({ eventLog, at: replayAt, cluster, serviceCidr, log, tls, tokens }).catch(
    (err: unknown) => {
      log.error({ err }, 'apiserver replay failed');
      process.exit(3);
    },
  );
  await eventLog.close();
  server = replay.server;
  const addresses = await server.listen(listen);
  log.info({ seq: replay.seq, at: replay.time?.toISOString(), addresses }, 'apiserver replay ready');
} else {
  const live = await startInformer(eventLog, { log });
  informer = live;
  await live.synced;
  const writer = createObjectWriter(eventLog, live, { component: 'apiserver' });
  server = createApiServer({ informer: live, writer, serviceCidr, log, tls, tokens, nodeBus: eventLog.nc });
  await bootstrap(server.context, { advertise });
  await server.listen(listen);
  log.info({ seq: live.view.seq }, 'apiserver ready');
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'apiserver stopping');
  await server.close();
  await informer?.stop();
  await eventLog.close().catch(() => undefined);
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
