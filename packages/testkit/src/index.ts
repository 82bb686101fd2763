export { startNatsServer, freePort } from './nats-server.js';
export type { NatsServer, NatsServerOptions } from './nats-server.js';
export { startNatsCluster } from './nats-cluster.js';
export type { ClusterMember, NatsCluster } from './nats-cluster.js';
export { eventually } from './poll.js';
export { MissingPrivilegeError, requireRoot } from './require-root.js';
