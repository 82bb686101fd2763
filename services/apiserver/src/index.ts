export { createApiServer, parseListenAddress } from './server.js';
export type { ApiServer, ApiServerOptions } from './server.js';
export { bootstrap, SYSTEM_NAMESPACES } from './bootstrap.js';
export type { BootstrapOptions } from './bootstrap.js';
export { KUBERNETES_VERSION } from './version.js';
export type { NodeBus } from '@kemu/eventlog';
export { frozenInformer, refusingWriter } from './read-only.js';
