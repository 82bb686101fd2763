export { FLOW_SCHEMA_VERSION } from './flow-record.js';
export type {
  ConnectionFlow,
  DnsFlow,
  FlowRecord,
  FlowResult,
  FlowSource,
  PickReason,
  StoredFlow,
} from './flow-record.js';
export { FLOW_STREAM, FLOW_SUBJECT_PREFIX, flowSubject } from './subjects.js';
export { decodeFlowBatch, encodeFlowBatch } from './codec.js';
export { FlowDecodeError } from './errors.js';
export { OVERLOAD_SAMPLE_EVERY, createFlowRecorder, openFlowRecorder } from './flow-recorder.js';
export type {
  FlowRecorder,
  FlowRecorderOptions,
  FlowRecorderStats,
  OpenFlowRecorderOptions,
  PublishBatch,
} from './flow-recorder.js';
export {
  DEFAULT_FLOW_MAX_AGE_MS,
  DEFAULT_FLOW_MAX_BYTES,
  ensureFlowStream,
  readFlowBatches,
  readFlows,
} from './flow-stream.js';
export type { FlowStreamLimits, ReadFlowsOptions } from './flow-stream.js';
export { formatFlow } from './format-flow.js';
