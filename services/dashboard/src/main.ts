/**
 * `kemu dashboard`'s process: a reader of the event log and the flow stream that serves
 * a live page on 127.0.0.1. Wiring only: config → runtime (logger, event log, informer)
 * → cluster feed, flow feed and chaos feed → HTTP server; prints `dashboard: http://127.0.0.1:PORT/`
 * on stdout once it serves.
 */
import { readConfig, runComponent } from '@kemu/runtime';
import { fileURLToPath } from 'node:url';
import { createChaosFeed } from './chaos-feed.js';
import { createClusterFeed } from './cluster-feed.js';
import { configFromEnv } from './config.js';
import { createDashboardServer } from './dashboard-server.js';
import { startFlowFeed } from './flow-feed.js';
import { DASHBOARD_RESOURCES } from './summaries.js';

const config = readConfig('dashboard', () => configFromEnv(process.env));

await runComponent(
  {
    component: 'dashboard',
    logLevel: config.logLevel,
    natsUrl: config.natsUrl,
    natsNkeyFile: config.natsNkeyFile,
    natsTlsCa: config.natsTlsCa,
    connectionName: 'dashboard',
    streamReplicas: config.streamReplicas,
    resources: DASHBOARD_RESOURCES,
  },
  async ({ log, eventLog, informer }) => {
    await informer.synced;
    const cluster = createClusterFeed(informer);
    const flows = startFlowFeed(eventLog, log);
    const chaos = createChaosFeed(eventLog, log);
    const server = createDashboardServer({
      cluster,
      flows,
      chaos,
      eventLog,
      bundlePath: fileURLToPath(new URL('./page/app.js', import.meta.url)),
      clusterName: config.cluster,
      log,
    });
    const address = await server.listen({ host: '127.0.0.1', port: config.port });
    log.info({ url: `${address}/` }, 'dashboard serving');
    process.stdout.write(`dashboard: ${address}/\n`);
    return async () => {
      await server.close();
      cluster.stop();
      await flows.stop();
      await chaos.stop();
    };
  },
);
