/**
 * kemu apiserver process: env → logger → event log → informer (all resources) → synced →
 * bootstrap → HTTPS (KEMU_APISERVER_CERT/KEY, bearer tokens from KEMU_APISERVER_TOKEN_FILE)
 * on every KEMU_APISERVER_LISTEN address → shutdown on SIGTERM/SIGINT.
 */
import { connectEventLog, createObjectWriter, startInformer } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { readFileSync } from 'node:fs';
import { parseTokenFile } from './http/authn.js';
import { bootstrap } from './controllers/bootstrap.js';
import { createApiServer } from './http/server.js';
import { parseCidr } from './cluster-ip/service-cidr.js';

const natsUrl = process.env.KEMU_NATS_URL ?? 'nats://127.0.0.1:4222';
const listen = (process.env.KEMU_APISERVER_LISTEN ?? '127.0.0.1:6443')
  .split(',')
  .map((a) => a.trim())
  .filter((a) => a !== '');
const advertise = process.env.KEMU_APISERVER_ADVERTISE || undefined;
const serviceCidr = parseCidr(process.env.KEMU_SERVICE_CIDR ?? '10.96.0.0/12');
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

const log = createLogger({ component: 'apiserver', level: process.env.KEMU_LOG_LEVEL });
log.info(
  { natsUrl, listen, advertise, serviceCidr: serviceCidr.text, cluster, certFile, tokens: tokens.length },
  'apiserver starting',
);

const eventLog = await connectEventLog({ servers: natsUrl, name: `apiserver-${cluster}-${process.pid}`, log });
const informer = await startInformer(eventLog, { log });
await informer.synced;
const writer = createObjectWriter(eventLog, informer, { component: 'apiserver' });
const server = createApiServer({ informer, writer, serviceCidr, log, tls, tokens, nodeBus: eventLog.nc });
await bootstrap(server.context, { advertise });
await server.listen(listen);
log.info({ seq: informer.view.seq }, 'apiserver ready');

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'apiserver stopping');
  await server.close();
  await informer.stop();
  await eventLog.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
