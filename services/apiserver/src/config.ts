/** The apiserver's settings, read from its environment by one schema. */
import {
  clusterName,
  type ConfigOf,
  hostPortList,
  logLevelVar,
  natsUrlLocal,
  parseEnv,
  parseHostPort,
  streamReplicas,
  string,
} from '@kemu/config';
import { serviceCidrVar } from '@kemu/config/cidr';
import type { ServiceCidr } from './cluster-ip/service-cidr.js';

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
};

/** The apiserver's configuration. */
export interface ApiserverConfig extends Omit<ConfigOf<typeof apiserverSchema>, 'serviceCidr'> {
  serviceCidr: ServiceCidr;
}

/** Reads the apiserver's configuration; throws ConfigError naming a bad variable. */
export function configFromEnv(env: NodeJS.ProcessEnv): ApiserverConfig {
  const { serviceCidr, ...rest } = parseEnv(apiserverSchema, env);
  return { ...rest, serviceCidr: { text: serviceCidr.text, base: serviceCidr.network, size: serviceCidr.size } };
}
