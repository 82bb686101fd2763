/** The cluster DNS's settings, read from its environment by one schema. */
import {
  bool,
  type ConfigOf,
  int,
  type HostPort,
  hostPort,
  logLevelVar,
  natsUrlRequired,
  nodeName,
  parseEnv,
  port,
  streamReplicas,
  string,
} from '@kemu/config';
import { ipv4Address, nodeIpOptional, serviceCidrVar } from '@kemu/config/cidr';
import { cidrAddress } from '@kemu/api';

/** Every variable the dns reads. */
export const dnsSchema = {
  node: nodeName,
  natsUrl: natsUrlRequired,
  streamReplicas,
  logLevel: logLevelVar('info'),
  /** Unset: no coredns pod published, and the listener binds 127.0.0.1. */
  nodeIP: nodeIpOptional,
  serviceCidr: serviceCidrVar,
  domain: string({ env: 'KEMU_CLUSTER_DOMAIN', default: 'cluster.local', meaning: 'The cluster domain' }),
  listen: hostPort({
    env: 'KEMU_DNS_LISTEN',
    defaultText: '<KEMU_NODE_IP or 127.0.0.1>:53',
    meaning: 'Address the dns answers on, over UDP and TCP',
  }),
  ttl: int({
    env: 'KEMU_DNS_TTL',
    min: 0,
    max: 3600,
    default: 5,
    meaning: 'TTL of the answers, in seconds (CoreDNS kubernetes plugin: ttl, 0-3600)',
  }),
  upstream: hostPort({
    env: 'KEMU_DNS_UPSTREAM',
    meaning: 'Resolver that names outside the cluster domain are forwarded to (unset: not forwarded)',
  }),
  queryLog: bool({ env: 'KEMU_DNS_QUERY_LOG', default: true, meaning: 'Log one line per query (CoreDNS log plugin)' }),
  metricsPort: port({
    env: 'KEMU_DNS_METRICS_PORT',
    default: 9153,
    meaning: 'Port of the Prometheus metrics on the listen host (CoreDNS: 9153)',
  }),
  clusterDNS: ipv4Address({
    env: 'KEMU_CLUSTER_DNS',
    defaultText: 'the tenth address of KEMU_SERVICE_CIDR (10.96.0.10)',
    meaning: "ClusterIP of the kube-dns Service (the pods' nameserver)",
  }),
  publish: bool({
    env: 'KEMU_DNS_PUBLISH',
    default: true,
    meaning: 'Create the kube-dns Service and publish the coredns pod (false in tests)',
  }),
};

/** The dns's configuration, with the computed defaults filled in. */
export interface DnsConfig extends Omit<ConfigOf<typeof dnsSchema>, 'listen' | 'clusterDNS'> {
  listen: HostPort;
  clusterDNS: string;
}

/** Reads the dns's configuration; throws ConfigError naming a bad variable. */
export function configFromEnv(env: NodeJS.ProcessEnv): DnsConfig {
  const { listen, clusterDNS, ...rest } = parseEnv(dnsSchema, env);
  return {
    ...rest,
    listen: listen ?? { host: rest.nodeIP ?? '127.0.0.1', port: 53 },
    clusterDNS: clusterDNS ?? cidrAddress(rest.serviceCidr, 10),
  };
}
