/**
 * kemu apiserver process. Wiring only: config → runtime (logger, event log, informer over
 * all resources) → synced → bootstrap → HTTPS (KEMU_APISERVER_CERT/KEY, bearer tokens
 * from KEMU_APISERVER_TOKEN_FILE) on every KEMU_APISERVER_LISTEN address; the runtime
 * stops it on SIGTERM/SIGINT. With KEMU_APISERVER_REPLAY_AT (`kemu replay`) it serves the
 * log's projection at that moment, read-only, instead (replay-process.ts).
 */
import { formatCidr } from '@kemu/api';
import { createObjectWriter } from '@kemu/eventlog';
import { readConfig, runComponent } from '@kemu/runtime';
import { readFileSync } from 'node:fs';
import { parseTokenFile } from './http/authn.js';
import { bootstrap } from './controllers/bootstrap.js';
import { configFromEnv } from './config.js';
import { createApiServer } from './http/server.js';
import { runReplayProcess } from './replay-process.js';

const config = readConfig('apiserver', () => configFromEnv(process.env));
const { listen, advertise, serviceCidr, cluster, certFile, replayAt } = config;

if (replayAt !== undefined) await runReplayProcess({ ...config, replayAt });
else
  await runComponent(
    {
      component: 'apiserver',
      logLevel: config.logLevel,
      natsUrl: config.natsUrl,
      connectionName: `apiserver-${cluster}-${process.pid}`,
      streamReplicas: config.streamReplicas,
    },
    async ({ log, eventLog, informer }) => {
      const tls = { cert: readFileSync(certFile), key: readFileSync(config.keyFile) };
      const tokens = parseTokenFile(readFileSync(config.tokenFile, 'utf8'));
      log.info(
        {
          natsUrl: config.natsUrl.join(','),
          listen,
          advertise,
          serviceCidr: formatCidr(serviceCidr),
          cluster,
          certFile,
          tokens: tokens.length,
        },
        'apiserver starting',
      );
      await informer.synced;
      const writer = createObjectWriter(eventLog, informer, { component: 'apiserver' });
      const server = createApiServer({ informer, writer, serviceCidr, log, tls, tokens, nodeBus: eventLog.nc });
      await bootstrap(server.context, { advertise });
      await server.listen(listen);
      log.info({ seq: informer.view.seq }, 'apiserver ready');
      return async () => {
        log.info('apiserver stopping');
        await server.close();
      };
    },
  );
