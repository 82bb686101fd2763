/** pod-workload: the default container "image". Wiring only: env → control → HTTP servers → SIGTERM. */
import { configFromEnv } from './config.js';
import { createControl } from './control.js';
import { type LogLine, startHttpWorkload } from './http-server.js';

const log: LogLine = (fields) => {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', ...fields })}\n`);
};

const config = configFromEnv(process.env);
const control = createControl({
  readyDelaySeconds: config.readyDelaySeconds,
  failAfterSeconds: config.failAfterSeconds,
});
const workload = await startHttpWorkload(config, control, log);
log({ msg: 'listening', host: config.host, ports: workload.ports, pod: config.pod, namespace: config.namespace });

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log({ msg: 'shutting down', signal });
  // In-flight requests get a moment; a client holding a connection open does not hold the pod.
  setTimeout(() => process.exit(0), 5_000).unref();
  void workload.close().then(() => process.exit(0));
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
