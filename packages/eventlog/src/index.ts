export { STREAM, SUBJECT_PREFIX, subjectFor, subjectsForResources, keyFromSubject } from './subjects.js';
export { SCHEMA_VERSION, encodeEvent, decodeEvent } from './envelope.js';
export type { LogEvent, Actor } from './envelope.js';
export { createView, applyEvent, listObjects, getObject, expectedSeq } from './projection.js';
export type { View, Change } from './projection.js';
export { APPEND_RETRY_BUDGET_MS, connectEventLog, streamReplicasFromEnv } from './event-log.js';
export type { EventLog, EventLogOptions } from './event-log.js';
export { startInformer } from './informer.js';
export type { Informer, InformerOptions } from './informer.js';
export { ConflictError, EventDecodeError, AppendUnknownError } from './errors.js';
export { createObjectWriter } from './object-writer.js';
export type { ObjectWriter } from './object-writer.js';
export { readHistory, projectionAt } from './event-history.js';
export type { HistoryEntry, HistoryFilter, ReadHistoryOptions, Snapshot } from './event-history.js';
export {
  SNAPSHOT_BUCKET,
  SnapshotDecodeError,
  SnapshotGapError,
  openSnapshotStore,
  loadNewestSnapshot,
  encodeSnapshot,
  decodeSnapshot,
} from './snapshot.js';
export type { SnapshotInfo, SnapshotStore, LoadedSnapshot } from './snapshot.js';
