export { createApiServer, parseListenAddress } from './http/server.js';
export type { ApiServer, ApiServerOptions } from './http/server.js';
export { bootstrap, SYSTEM_NAMESPACES } from './controllers/bootstrap.js';
export type { BootstrapOptions } from './controllers/bootstrap.js';
export { parseCidr, InvalidCidrError } from './cluster-ip/service-cidr.js';
export type { ServiceCidr } from './cluster-ip/service-cidr.js';
export { KUBERNETES_VERSION } from './discovery/version.js';
export type { NodeBus } from '@kemu/eventlog';
export { frozenInformer, refusingWriter } from './read-only.js';
