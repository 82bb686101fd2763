export { createRoundRobinBalancer, DEFAULT_AFFINITY_TIMEOUT_SECONDS } from './balancer.js';
export type { RoundRobinBalancer, AffinityPolicy, BalancerOptions } from './balancer.js';
export { createServiceTracker, servicePortName, servicePortsOf } from './service-tracker.js';
export type { ServiceTracker, ServicePortInfo } from './service-tracker.js';
export { createEndpointsTracker, endpointsOfSlice, SERVICE_NAME_LABEL } from './endpoints-tracker.js';
export type { EndpointsTracker, EndpointInfo } from './endpoints-tracker.js';
export { computeDesiredState, selectEndpoints } from './desired-state.js';
export type { DesiredServicePort } from './desired-state.js';
export { registerTrackerHandlers, loadTrackers } from './tracker-handlers.js';
export { createSyncRunner } from './sync-runner.js';
export type { SyncRunner, SyncRunnerOptions } from './sync-runner.js';
export { createProxier } from './proxier.js';
export type { Proxier, ProxierOptions, AppliedServicePort } from './proxier.js';
export { createLoopbackAddresses, cidrContains } from './loopback-addresses.js';
export type { LoopbackAddresses, LoopbackAddressesOptions } from './loopback-addresses.js';
export { createTcpProxy, DIAL_TIMEOUTS_MS } from './tcp-proxy.js';
export type { TcpProxy, TcpProxyOptions, NextEndpoint } from './tcp-proxy.js';
export { createUdpProxy, DEFAULT_UDP_IDLE_TIMEOUT_MS } from './udp-proxy.js';
export type { UdpProxy, UdpProxyOptions } from './udp-proxy.js';
export { createProxyMetrics } from './metrics.js';
export type { ProxyMetrics } from './metrics.js';
export {
  buildKubeProxyPod,
  publishKubeProxyPod,
  keepKubeProxyPod,
  kubeProxyPodKey,
  KUBE_PROXY_APP,
} from './kube-proxy-pod.js';
export type { KubeProxyPodOptions } from './kube-proxy-pod.js';
export { MissingEndpointsError, UnknownServicePortError, DialFailedError, AddressCommandError } from './errors.js';
export { startDebugServer, DEBUG_PORT } from './debug-server.js';
export type { DebugServer, DebugServerOptions, EndpointsReply } from './debug-server.js';
