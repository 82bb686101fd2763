export { RRType, RCode, CLASS_IN, typeCodeOf, typeName, rcodeName } from './dns-message.js';
export type { DnsHeader, DnsMessage, Question, ResourceRecord, RecordData, Edns } from './dns-message.js';
export { parseMessage, parseHeader, readName, HEADER_SIZE, MAX_NAME_OCTETS } from './wire-parse.js';
export type { ParseOptions } from './wire-parse.js';
export { encodeMessage, MAX_MESSAGE_SIZE, CLASSIC_UDP_SIZE } from './wire-encode.js';
export { buildZoneIndex, endpointName, SERVICE_NAME_LABEL } from './zone-index.js';
export type { ZoneIndex, ZoneService, ZoneEndpoint, ZonePort, ZoneObjects, ZoneIndexOptions } from './zone-index.js';
export { answerQuestion, DNS_SCHEMA_VERSION } from './dns-zone.js';
export type { ZoneAnswer, ZoneOptions } from './dns-zone.js';
export { createQueryHandler, DEFAULT_MAX_UDP_SIZE } from './query-handler.js';
export type { QueryHandler, QueryHandlerOptions, QueryResult, Transport } from './query-handler.js';
export { createAnswerCache } from './answer-cache.js';
export type { AnswerCache, CachedAnswer } from './answer-cache.js';
export { startUdpServer } from './udp-server.js';
export type { DnsListener, DnsListenerOptions, QueryEvent } from './udp-server.js';
export { startTcpServer } from './tcp-server.js';
export type { TcpServerOptions } from './tcp-server.js';
export { createUpstreamForwarder } from './upstream-forwarder.js';
export type { UpstreamForwarder, UpstreamForwarderOptions } from './upstream-forwarder.js';
export { createZoneSource } from './zone-source.js';
export type { ZoneSource } from './zone-source.js';
export { createQueryLog } from './query-log.js';
export type { QueryLog, QueryLogOptions } from './query-log.js';
export { createDnsMetrics, startMetricsServer } from './metrics.js';
export type { DnsMetrics } from './metrics.js';
export {
  buildCorednsPod,
  publishCorednsPod,
  keepCorednsPod,
  markCorednsPodNotReady,
  corednsPodKey,
  KUBE_DNS_APP,
} from './coredns-pod.js';
export type { CorednsPodOptions } from './coredns-pod.js';
export {
  ensureKubeDnsService,
  buildKubeDnsService,
  buildKubeDnsIPAddress,
  KUBE_DNS_SERVICE,
} from './kube-dns-service.js';
export type { EnsureResult } from './kube-dns-service.js';
export { DnsFormatError, DnsEncodeOverflowError, DnsNameError } from './errors.js';
