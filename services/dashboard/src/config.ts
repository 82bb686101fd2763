/** The dashboard's settings, read from its environment by one schema. */
import {
  type ConfigOf,
  clusterName,
  int,
  logLevelVar,
  natsNkeyFile,
  natsTlsCa,
  natsUrlRequired,
  parseEnv,
  streamReplicas,
} from '@kemu/config';

/** Every variable the dashboard reads. */
export const dashboardSchema = {
  cluster: clusterName,
  natsUrl: natsUrlRequired,
  natsNkeyFile,
  natsTlsCa,
  streamReplicas,
  logLevel: logLevelVar('info'),
  port: int({
    env: 'KEMU_DASHBOARD_PORT',
    min: 0,
    max: 65535,
    default: 0,
    meaning: 'Port of the dashboard on 127.0.0.1 (0: a free one, printed at start)',
  }),
};

/** The dashboard's configuration. */
export type DashboardConfig = ConfigOf<typeof dashboardSchema>;

/** Reads the dashboard's configuration; throws ConfigError naming a bad variable. */
export function configFromEnv(env: NodeJS.ProcessEnv): DashboardConfig {
  return parseEnv(dashboardSchema, env);
}
