/**
 * pod-workload: the container "images". Wiring only: config → workload picked by image → SIGTERM.
 * An app image (a database client) that declares containerPorts also serves HTTP on them;
 * serve_hostname and agnhost run their test servers, chosen by the container's args.
 * What only some pods use is imported when used, so the common pod starts listening sooner.
 */
import { exitOnSignals, readConfig } from '@kemu/runtime/process';
import { configFromEnv } from './config.js';
import { createControl } from './control.js';
import { type LogLine, startHttpWorkload } from './http-server.js';
import { agnhostCommand, agnhostStopGraceMs } from './agnhost-args.js';
import { defaultPort, imageKind, imageName } from './image-kind.js';

const log: LogLine = (fields) => {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', ...fields })}\n`);
};

const config = readConfig('pod-workload', () => configFromEnv(process.env));
const kind = imageKind(config.image);
const agnhost = agnhostCommand(imageName(config.image), process.argv.slice(2));
let close: () => Promise<void>;

if (agnhost) {
  const { startAgnhost } = await import('./agnhost.js');
  close = await startAgnhost(agnhost, log);
} else if (kind === 'tcp-server') {
  const ports = config.portsDeclared ? config.ports : [defaultPort(config.image) ?? 3306];
  const greeting = `${imageName(config.image)} ready (pod ${config.pod})`;
  const { startTcpWorkload } = await import('./tcp-server.js');
  const workload = await startTcpWorkload({ ports, host: config.host, greeting }, log);
  log({ msg: 'listening', kind, ports: workload.ports, pod: config.pod, namespace: config.namespace });
  close = () => workload.close();
} else if (kind === 'db-client') {
  const { startDbClient } = await import('./db-client.js');
  const stop = startDbClient({ host: config.dbHost, port: config.dbPort, intervalMs: 1_000 }, log);
  log({ msg: 'client started', kind, target: `${config.dbHost}:${config.dbPort}`, pod: config.pod });
  close = async () => stop();
  if (config.portsDeclared) {
    // An app that declares containerPorts serves them too, so a Service in front of it answers.
    const control = createControl({
      readyDelaySeconds: config.readyDelaySeconds,
      failAfterSeconds: config.failAfterSeconds,
    });
    const web = await startHttpWorkload(config, control, log);
    log({ msg: 'listening', host: config.host, ports: web.ports, pod: config.pod, namespace: config.namespace });
    close = async () => {
      stop();
      await web.close();
    };
  }
} else {
  const control = createControl({
    readyDelaySeconds: config.readyDelaySeconds,
    failAfterSeconds: config.failAfterSeconds,
  });
  const workload = await startHttpWorkload(config, control, log);
  log({ msg: 'listening', host: config.host, ports: workload.ports, pod: config.pod, namespace: config.namespace });
  if (config.memoryHogMb !== undefined) {
    const { startMemoryHog } = await import('./memory-hog.js');
    startMemoryHog(
      {
        totalMb: config.memoryHogMb,
        ...(config.memoryHogRateMb !== undefined ? { rateMb: config.memoryHogRateMb } : {}),
      },
      (mb) => log({ msg: 'memory allocated', mb }),
    );
  }
  const grpc = config.grpcPort
    ? await (await import('./grpc-health.js')).startGrpcHealth(config.grpcPort, config.host, control)
    : undefined;
  if (grpc) log({ msg: 'grpc health listening', port: grpc.port });
  if (config.burnCpuThreads) {
    const { startCpuBurner } = await import('./cpu-burner.js');
    startCpuBurner(Math.ceil(config.burnCpuThreads));
    log({ msg: 'burning cpu', threads: Math.ceil(config.burnCpuThreads) });
  }
  close = async () => {
    await Promise.all([workload.close(), grpc?.close()]);
  };
}

// In-flight requests get a moment; a client holding a connection open does not hold the pod.
exitOnSignals(close, {
  graceMs: agnhost ? agnhostStopGraceMs(agnhost) : 5_000,
  onSignal: (signal) => log({ msg: 'shutting down', signal }),
});
