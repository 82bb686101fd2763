export {
  Frame,
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
