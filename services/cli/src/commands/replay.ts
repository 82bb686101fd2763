/**
 * `kemu replay --at <moment>`: the cluster as it was at a moment of its event log, served
 * by a read-only apiserver (HTTPS with the cluster's certificate and admin token) on a free
 * port of 127.0.0.1 with a kubeconfig of its own, until Ctrl-C. The projection is built
 * once and never follows the log; every write gets a 405 MethodNotAllowed Status.
 */
import { createApiServer, frozenInformer, parseCidr, refusingWriter } from '@kemu/apiserver';
import { projectionAt } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { intFlag, stringFlag, valueFlagSpec } from '../args.js';
import { readCaCert, pkiPaths } from '../cluster-pki.js';
import type { Command, CommandIO } from '../command.js';
import { SERVICE_CIDR } from '../components.js';
import { CliError, UsageError } from '../errors.js';
import { connectClusterLog } from '../event-log-client.js';
import { writeKubeconfig } from '../kubeconfig-file.js';
import { momentTarget, parseMoment } from '../moment.js';

/** Where the replay of sequence `seq` writes its kubeconfig. */
export function replayKubeconfigPath(stateDir: string, seq: number): string {
  return join(stateDir, `replay-${seq}.kubeconfig`);
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: string) => () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(signal);
    };
    const onInt = on('SIGINT');
    const onTerm = on('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
}

async function runReplay(io: CommandIO): Promise<number> {
  const { ctx, args } = io;
  const at = stringFlag(args, 'at');
  if (at === undefined) throw new UsageError('--at is required: kemu replay --at <RFC3339 time | -2m | seq:N | #N>');
  const moment = parseMoment(at, 'at');
  const port = intFlag(args, 'port', 0, 0, 65535);

  const { eventLog, config } = await connectClusterLog(ctx, 'replay');
  const snapshot = await projectionAt(eventLog, momentTarget(moment)).finally(() => eventLog.close());
  if (snapshot.seq === 0)
    throw new CliError('NothingToReplay', `the event log of cluster ${ctx.cluster} holds no event at or before ${at}`);
  const when = snapshot.time?.toISOString() ?? '';

  const pki = pkiPaths(ctx.paths.stateDir);
  const log = createLogger({ component: 'replay-apiserver', level: process.env.KEMU_LOG_LEVEL ?? 'error' });
  const message = `this is kemu replay: a read-only view of cluster ${ctx.cluster} at sequence ${snapshot.seq} (${when}); write to the live cluster instead`;
  const server = createApiServer({
    informer: frozenInformer(snapshot.view),
    writer: refusingWriter(message),
    serviceCidr: parseCidr(SERVICE_CIDR),
    log,
    // Ages in tables are told as they were at the moment, not as they would be now.
    clock: () => snapshot.time?.getTime() ?? Date.now(),
    tls: { cert: await readFile(pki.apiserverCert), key: await readFile(pki.apiserverKey) },
    tokens: [config.token],
    readOnly: { message },
  });
  const [bound] = await server.listen([`127.0.0.1:${port}`]);
  const url = `https://127.0.0.1:${bound?.port}`;
  const kubeconfig = replayKubeconfigPath(ctx.paths.stateDir, snapshot.seq);
  await writeKubeconfig(kubeconfig, {
    cluster: `${ctx.cluster}-replay-${snapshot.seq}`,
    server: url,
    token: config.token,
    caPem: await readCaCert(ctx.paths.stateDir),
  });
  io.stdout.write(
    `Replaying cluster ${ctx.cluster} at sequence ${snapshot.seq} (${when}), read-only, on ${url}\n` +
      `export KUBECONFIG=${kubeconfig}\n` +
      'Press Ctrl-C to stop.\n',
  );
  await untilSignal();
  await server.close();
  await rm(kubeconfig, { force: true });
  return 0;
}

/** `kemu replay`. */
export const replayCommand: Command = {
  name: 'replay',
  usage: 'kemu replay --at <RFC3339 time | -2m | seq:N | #N> [--port P]',
  summary: 'serve a read-only apiserver over the cluster as it was at a moment of its event log',
  flags: [valueFlagSpec('at'), valueFlagSpec('port')],
  run: runReplay,
};
