export { runExperiment } from './run-experiment.js';
export type { RunOptions } from './run-experiment.js';
export { runOneOff } from './run-one-off.js';
export type { OneOffOptions, OneOffResult } from './run-one-off.js';
export { connectChaosLog, createFaultRecorder } from './fault-recorder.js';
export type { FaultRecorder } from './fault-recorder.js';
export { COMPONENTS, parseExperiment } from './experiment.js';
export type { ComponentName, Experiment, ExperimentKind, FaultAction } from './experiment.js';
export { checkInjectable, injectFaults } from './fault-injectors.js';
export type { ActiveFault, FaultRecord, InjectContext, NetworkMeans } from './fault-injectors.js';
export { openUndoJournal, performUndo } from './undo-journal.js';
export type { JournalEntry, UndoJournal, UndoStep } from './undo-journal.js';
export { CHAOS_COMPONENT, FAULT_ANNOTATION, faultEvent, readFaultEvent } from './fault-events.js';
export type { FaultEventData, FaultEventReason } from './fault-events.js';
export { formatReport } from './chaos-report.js';
export type { ChaosReport } from './chaos-report.js';
export { parseDuration } from './duration.js';
export type { ChaosCluster, ChaosPod } from './chaos-cluster.js';
export {
  ChaosError,
  ChaosApiError,
  ExperimentInvalidError,
  FaultUnsupportedError,
  FaultFailedError,
  NoTargetError,
} from './errors.js';
