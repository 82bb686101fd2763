export { startNatsServer, freePort } from './nats-server.js';
export type { NatsServer, NatsServerOptions } from './nats-server.js';
export { startNatsCluster } from './nats-cluster.js';
export type { ClusterMember, NatsCluster } from './nats-cluster.js';
export { startEventLogFixture } from './event-log-fixture.js';
export type { EventLogFixture } from './event-log-fixture.js';
export { eventually, consistently, settled, nextMillisecond } from './poll.js';
export { pod, service, node, endpointSlice, deployment } from './builders.js';
export type {
  PodOptions,
  ServiceOptions,
  NodeOptions,
  EndpointOptions,
  EndpointSliceOptions,
  DeploymentOptions,
} from './builders.js';
export { getJson, listJson } from './kubectl-json.js';
/** A long churn log with an in-memory oracle, for snapshot tests and `pnpm bench`. */
export { churnEvents, publishChurn } from './snapshot-churn.js';
export type { KubectlRunner } from './kubectl-json.js';
export { MissingPrivilegeError, requireRoot } from './require-root.js';
