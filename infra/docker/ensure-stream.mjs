// Creates the event stream with KEMU_STREAM_REPLICAS replicas (3 on the compose NATS
// cluster) before any component connects: components create it with one replica when
// it is missing and leave an existing one as it is (so one made by a component that was
// faster is scaled up to the wanted replicas here). Exits non-zero until it worked
// (the JetStream cluster may still be electing its meta leader); the entrypoints retry.
// It connects as the entrypoint's component does (KEMU_NATS_NKEY_FILE, KEMU_NATS_TLS_CA):
// a node's credential may create the stream but not scale it, the apiserver's may.
import {
  natsNkeyFile,
  natsTlsCa,
  natsUrlLocal,
  parseEnv,
  streamReplicas,
} from '/opt/kemu/packages/config/dist/index.js';
import { connectEventLog } from '/opt/kemu/packages/eventlog/dist/index.js';
import { createLogger } from '/opt/kemu/packages/log/dist/index.js';

const log = createLogger({ component: 'ensure-stream' });
const { replicas, servers, nkeyFile, tlsCaFile } = parseEnv(
  { replicas: streamReplicas, servers: natsUrlLocal, nkeyFile: natsNkeyFile, tlsCaFile: natsTlsCa },
  process.env,
);
const timer = setTimeout(() => {
  log.warn({ servers }, 'event stream not ready in 10s');
  process.exit(1);
}, 10_000);
const eventLog = await connectEventLog({
  servers,
  name: 'ensure-stream',
  log,
  replicas,
  ...(nkeyFile ? { nkeyFile } : {}),
  ...(tlsCaFile ? { tlsCaFile } : {}),
});
let info = await eventLog.jsm.streams.info('KEMU');
if (info.config.num_replicas < replicas) {
  info = await eventLog.jsm.streams.update('KEMU', { ...info.config, num_replicas: replicas });
}
log.info({ replicas: info.config.num_replicas, leader: info.cluster?.leader }, 'event stream ready');
await eventLog.close();
clearTimeout(timer);
