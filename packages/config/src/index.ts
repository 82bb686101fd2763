/** Typed configuration from the environment: variable specs, one parser, the reference renderer. */
export { ConfigError } from './config-error.js';
export {
  type ConfigOf,
  parseEnv,
  type Schema,
  type SpecBuilder,
  type SpecOptions,
  specBuilder,
  type VarSpec,
} from './var-spec.js';
export {
  bool,
  duration,
  type DurationOptions,
  type HostPort,
  hostPort,
  hostPortList,
  int,
  number,
  oneOf,
  parseHostPort,
  port,
  portList,
  type RangeOptions,
  string,
  urlList,
} from './var-types.js';
export {
  clusterName,
  LOG_LEVELS,
  type LogLevel,
  logLevelVar,
  natsUrlLocal,
  natsUrlRequired,
  nodeName,
  stateDir,
  streamReplicas,
} from './common-vars.js';
export { type ComponentSchema, type DocSection, type DocVar, renderReference, schemaRows } from './reference.js';
