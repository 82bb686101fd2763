export { STREAM, nodeStatusSubjectFor, subjectFor } from './subjects.js';
export { SCHEMA_VERSION, encodeEvent } from './envelope.js';
export type { LogEvent, Actor } from './envelope.js';
export {
  createView,
  applyEvent,
  foldRecord,
  listObjects,
  getObject,
  expectedSeq,
  expectedNodeSeq,
} from './projection.js';
export type { View, Change, Folded } from './projection.js';
export { connectEventLog } from './event-log.js';
export { checkNatsCredential } from './credential-check.js';
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
export {
  ConflictError,
  EventDecodeError,
  AppendUnknownError,
  CredentialError,
  WriteForbiddenError,
  isPermissionViolation,
} from './errors.js';
export { componentPermissions, readerApiSubjects } from './nats-permissions.js';
export type { ComponentRole, NatsPermissions } from './nats-permissions.js';
export { newNkeyUser, publicKeyOfSeed, readSeedFile } from './nats-credentials.js';
export type { NkeyUser } from './nats-credentials.js';
export { createObjectWriter } from './object-writer.js';
export type { ObjectWriter, ObjectWriterOptions } from './object-writer.js';
export { createPodStatusWriter } from './pod-status-writer.js';
export type { PodStatusWriter } from './pod-status-writer.js';
export { readHistory, projectionAt } from './event-history.js';
export type { HistoryEntry, HistoryFilter, ReadHistoryOptions, Snapshot } from './event-history.js';
export { SnapshotDecodeError, SnapshotGapError, openSnapshotStore } from './snapshot.js';
export type { SnapshotInfo, SnapshotStore } from './snapshot.js';
export {
  ENCRYPTED_FIELD,
  SecretDecryptError,
  createSecretCipher,
  loadOrCreateEncryptionKey,
} from './secret-encryption.js';
export type { SecretCipher } from './secret-encryption.js';
