/** The shared component runtime: logger, event log, informer, signals and exit. */
export { type ComponentContext, type ComponentOptions, runComponent, type StopComponent } from './run-component.js';
export { CONFIG_EXIT_CODE, exitOnFailure, exitOnSignals, readConfig, type SignalExitOptions } from './process-exit.js';
