export { STREAM, SUBJECT_PREFIX, subjectFor, subjectsForResources, keyFromSubject } from './subjects.js';
export { SCHEMA_VERSION, encodeEvent, decodeEvent } from './envelope.js';
export type { LogEvent, Actor } from './envelope.js';
export { createView, applyEvent, listObjects, getObject, expectedSeq } from './projection.js';
export type { View, Change } from './projection.js';
export { APPEND_RETRY_BUDGET_MS, connectEventLog } from './event-log.js';
export type { EventLog, EventLogOptions } from './event-log.js';
export { startInformer } from './informer.js';
export type { Informer, InformerOptions } from './informer.js';
export { fixedInformer } from './fixed-informer.js';
export { onEveryChange } from './resource-handlers.js';
export type { ResourceEventHandler, ResourceHandlers } from './resource-handlers.js';
export { POD_NODE_NAME_INDEX, UnknownIndexError, podNodeName } from './listers.js';
export type { Lister, IndexFunc } from './listers.js';
export { systemClock } from './clock.js';
export type { Clock, CancelTimer } from './clock.js';
export { ConflictError, EventDecodeError, AppendUnknownError } from './errors.js';
export { createObjectWriter } from './object-writer.js';
export type { ObjectWriter } from './object-writer.js';
export {
  buildEvent,
  correlationKey,
  containerFieldPath,
  eventName,
  metaTime,
  objectReference,
  repeatEvent,
} from './core-event.js';
export type { EventOccurrence, EventSource, EventType } from './core-event.js';
export { createEventRecorder, EVENT_CORRELATION_WINDOW_MS } from './event-recorder.js';
export type { EventRecorder, EventRecorderOptions } from './event-recorder.js';
export {
  Frame,
  MAX_FRAME_DATA,
  PING_INTERVAL_MS,
  startSubject,
  sessionSubjects,
  encodeFrame,
  decodeFrame,
  dataFrames,
  encodeJson,
  decodeJson,
} from './pod-stream-protocol.js';
export type {
  StreamEnd,
  StreamStatus,
  StartReply,
  StreamTarget,
  LogRequest,
  ExecRequest,
  StreamKind,
  BusMsg,
  NodeBus,
} from './pod-stream-protocol.js';
export { buildMirrorPod, mirrorPodStatus, publishMirrorPod, keepMirrorPod } from './mirror-pod.js';
export type { MirrorPodRun, MirrorContainer } from './mirror-pod.js';
export { readHistory, projectionAt } from './event-history.js';
export type { HistoryEntry, HistoryFilter, ReadHistoryOptions, Snapshot } from './event-history.js';
export { summarizeChange, endpointsAddresses } from './object-changes.js';
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
/** A long churn log with an in-memory oracle, for snapshot tests and `pnpm bench`. */
export { churnEvents, publishChurn } from './snapshot-churn.js';
