/**
 * The `kemu` CLI's own settings, read from its environment by one schema. The CLI also
 * builds the environment of the processes it starts (components.ts, node-config.ts,
 * compose-plan.ts): those variables are the components' and are read by their schemas.
 */
import { bool, type ConfigOf, LOG_LEVELS, oneOf, parseEnv, streamReplicas, string, urlList } from '@kemu/config';

/** Every variable the CLI reads. */
export const cliSchema = {
  cluster: string({
    env: 'KEMU_CLUSTER',
    defaultText: 'local',
    meaning: 'The cluster a command works on when --name (node: --cluster) is not given',
  }),
  home: string({
    env: 'KEMU_HOME',
    defaultText: '<repo>/.kemu',
    meaning: "Where clusters' state and logs live (<home>/<cluster>)",
  }),
  servicesDir: string({
    env: 'KEMU_SERVICES_DIR',
    defaultText: '<repo>/services',
    meaning: "Where the components' builds are (<dir>/<service>/dist/main.bundle.js, else dist/main.js)",
  }),
  natsUrl: urlList({
    env: 'KEMU_NATS_URL',
    protocols: ['nats:'],
    meaning: 'kemu node up/down: the NATS of the cluster to join when --nats is not given',
  }),
  streamReplicas,
  baseImage: string({
    env: 'KEMU_BASE_IMAGE',
    defaultText: 'node:20-bookworm-slim (or a local node image)',
    meaning: 'kemu compose up: the base image of the kemu image when --base is not given',
  }),
  logLevel: oneOf(LOG_LEVELS)({
    env: 'KEMU_LOG_LEVEL',
    defaultText: 'silent (replay: error)',
    meaning: "Level of the CLI's own event-log and replay apiserver logs (stderr)",
  }),
  debug: bool({ env: 'KEMU_DEBUG', default: false, meaning: 'Print the stack trace of an unexpected error' }),
};

/** The CLI's configuration. */
export type CliConfig = ConfigOf<typeof cliSchema>;

/** Reads the CLI's configuration; throws ConfigError naming a bad variable. */
export function configFromEnv(env: NodeJS.ProcessEnv): CliConfig {
  return parseEnv(cliSchema, env);
}
