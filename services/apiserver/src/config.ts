/** The apiserver's settings, read from its environment by one schema. */
import {
  clusterName,
  type ConfigOf,
  hostPortList,
  logLevelVar,
  natsUrlLocal,
  parseEnv,
  parseHostPort,
  type SpecBuilder,
  specBuilder,
  streamReplicas,
  string,
} from '@kemu/config';
import { serviceCidrVar } from '@kemu/config/cidr';
import { type ReplayAt, parseReplayAt } from './replay-mode.js';

/** A moment of the event log: `seq:N` or an RFC 3339 time. */
const replayMoment: SpecBuilder<ReplayAt> = specBuilder(
  () => 'seq:N or an RFC 3339 time',
  (raw) => {
    try {
      return parseReplayAt(raw.trim());
    } catch {
      return undefined;
    }
  },
  (at) => (typeof at === 'number' ? `seq:${at}` : at.toISOString()),
);

/** Every variable the apiserver reads. */
export const apiserverSchema = {
  natsUrl: natsUrlLocal,
  streamReplicas,
  logLevel: logLevelVar('info'),
  listen: hostPortList({
    env: 'KEMU_APISERVER_LISTEN',
    default: ['127.0.0.1:6443'],
    meaning: 'Addresses the apiserver serves HTTPS on',
  }),
  advertise: string({
    env: 'KEMU_APISERVER_ADVERTISE',
    form: 'HOST:PORT',
    check: (v) => parseHostPort(v) !== undefined,
    defaultText: 'none (the kubernetes Endpoints stay empty)',
    meaning: 'Address other processes reach the apiserver at (the default/kubernetes Endpoints)',
  }),
  serviceCidr: serviceCidrVar,
  cluster: clusterName,
  certFile: string({
    env: 'KEMU_APISERVER_CERT',
    required: true,
    meaning: "PEM file of the apiserver's serving certificate",
  }),
  keyFile: string({ env: 'KEMU_APISERVER_KEY', required: true, meaning: "PEM file of the certificate's private key" }),
  tokenFile: string({
    env: 'KEMU_APISERVER_TOKEN_FILE',
    required: true,
    meaning: 'Static bearer tokens, one `token,user,uid[,"groups"]` per line (--token-auth-file)',
  }),
  replayAt: replayMoment({
    env: 'KEMU_APISERVER_REPLAY_AT',
    defaultText: 'none (serve the live cluster)',
    meaning: "Serve the event log's projection at this moment, read-only, instead of the live cluster (kemu replay)",
  }),
};

/** The apiserver's configuration. */
export type ApiserverConfig = ConfigOf<typeof apiserverSchema>;

/** Reads the apiserver's configuration; throws ConfigError naming a bad variable. */
export function configFromEnv(env: NodeJS.ProcessEnv): ApiserverConfig {
  return parseEnv(apiserverSchema, env);
}
