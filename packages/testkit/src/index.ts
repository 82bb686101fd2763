export { startNatsServer, freePort } from './nats-server.js';
export type { NatsServer } from './nats-server.js';
export { eventually } from './poll.js';
