export { configFromEnv, parsePorts, ConfigError } from './config.js';
export type { WorkloadConfig } from './config.js';
export { createControl } from './control.js';
export type { Control, ControlOptions } from './control.js';
export { startHttpWorkload } from './http-server.js';
export type { HttpWorkload, LogLine, WhoAmI } from './http-server.js';
