/**
 * kemu apiserver process. Wiring only: config → runtime (logger, event log, informer over
 * all resources) → synced → bootstrap → HTTPS (KEMU_APISERVER_CERT/KEY, bearer tokens
 * from KEMU_APISERVER_TOKEN_FILE) on every KEMU_APISERVER_LISTEN address; the runtime
 * stops it on SIGTERM/SIGINT. With KEMU_APISERVER_REPLAY_AT (`kemu replay`) it serves the
 * log's projection at that moment, read-only, instead (replay-process.ts).
 */
import { formatCidr } from '@kemu/api';
import { createObjectWriter, createSecretCipher, loadOrCreateEncryptionKey } from '@kemu/eventlog';
import { readConfig, runComponent } from '@kemu/runtime';
import { readFileSync } from 'node:fs';
import { parseTokenFile } from './http/authn.js';
import { createTokenSigner } from './auth/service-account-token.js';
import { servePodTokens } from './auth/pod-token-service.js';
import { bootstrap } from './controllers/bootstrap.js';
import { configFromEnv } from './config.js';
import { createApiServer } from './http/server.js';
import { runReplayProcess } from './replay-process.js';
import { tuneHeap } from './heap-tuning.js';

tuneHeap();

const config = readConfig('apiserver', () => configFromEnv(process.env));
const { listen, advertise, serviceCidr, cluster, certFile, replayAt } = config;

if (replayAt !== undefined) await runReplayProcess({ ...config, replayAt });
else
  await runComponent(
    {
      component: 'apiserver',
      logLevel: config.logLevel,
      natsUrl: config.natsUrl,
      natsNkeyFile: config.natsNkeyFile,
      natsTlsCa: config.natsTlsCa,
      connectionName: `apiserver-${cluster}-${process.pid}`,
      streamReplicas: config.streamReplicas,
      ...(config.encryptionKeyFile
        ? { cipher: createSecretCipher(loadOrCreateEncryptionKey(config.encryptionKeyFile)) }
        : {}),
    },
    async ({ log, eventLog, informer, metrics }) => {
      const tls = { cert: readFileSync(certFile), key: readFileSync(config.keyFile) };
      const tokens = parseTokenFile(readFileSync(config.tokenFile, 'utf8'));
      const tokenSigner = config.serviceAccountKeyFile
        ? createTokenSigner(readFileSync(config.serviceAccountKeyFile))
        : undefined;
      log.info(
        {
          natsUrl: config.natsUrl.join(','),
          listen,
          advertise,
          serviceCidr: formatCidr(serviceCidr),
          cluster,
          certFile,
          tokens: tokens.length,
          serviceAccountTokens: tokenSigner !== undefined,
        },
        'apiserver starting',
      );
      await informer.synced;
      const writer = createObjectWriter(eventLog, informer, { component: 'apiserver' });
      const server = createApiServer({
        informer,
        writer,
        serviceCidr,
        log,
        tls,
        tokens,
        nodeBus: eventLog.nc,
        maxWatches: config.maxWatches,
        tokenSigner,
        metrics,
      });
      await bootstrap(server.context, { advertise });
      await server.listen(listen);
      const rootCa = readFileSync(config.rootCaFile ?? certFile, 'utf8');
      const stopPodTokens = servePodTokens(server.context, eventLog.nc, rootCa, log);
      log.info({ seq: informer.view.seq }, 'apiserver ready');
      return async () => {
        log.info('apiserver stopping');
        stopPodTokens();
        await server.close();
      };
    },
  );
