/**
 * How the apiserver reaches a pod's streams (logs, exec, attach, portforward) through its node-agent,
 * over NATS core. Subject layout:
 *
 *   kemu.node.<node>.<kind>     start request (JSON, `kind` logs|exec|attach|portforward|dial); the reply is
 *                               `{ok:true}` or `{ok:false,status}` with a metav1.Status
 *   kemu.stream.<session>.out   node-agent → apiserver frames (data, then one end frame)
 *   kemu.stream.<session>.in    apiserver → node-agent frames (stdin, resize, close, cancel)
 *   kemu.stream.<session>.ping  node-agent → apiserver requests while the session lives;
 *                               no answer means the apiserver side is gone
 *
 * A frame is one message: byte 0 names what it is, with the remotecommand channel
 * numbers where there is one (1 stdout, 2 stderr, 0 stdin, 4 resize, 255 close stdin).
 * The apiserver subscribes to `out` and `ping` before it sends the start request; the
 * node-agent subscribes to `in` before it replies. Both ends import this one module.
 */

/** Frame types. */
export const Frame = {
  stdin: 0,
  stdout: 1,
  stderr: 2,
  /** Last frame of a session: JSON {@link StreamEnd}. */
  end: 3,
  resize: 4,
  /** Flow control: the apiserver has passed on this many more stdout bytes (uint32 BE). */
  ack: 5,
  /** The client went away: stop following, kill the exec'd process. */
  cancel: 254,
  /** The client's stdin reached EOF (remotecommand v5 close of stream 0). */
  closeStdin: 255,
} as const;

/** The largest data payload put in one frame (NATS' default max_payload is 1 MiB). */
export const MAX_FRAME_DATA = 64 * 1024;

/** How often the node-agent asks whether the apiserver side is still there. */
export const PING_INTERVAL_MS = 5_000;

/** What a session's end frame carries. */
export interface StreamEnd {
  /** Exit code of an exec'd command. */
  exitCode?: number;
  /** Set when the session failed after it started: the metav1.Status to report. */
  status?: StreamStatus;
}

/** The parts of a metav1.Status that cross the bus. */
export interface StreamStatus {
  code: number;
  reason: string;
  message: string;
}

/** Reply to a start request. */
export type StartReply = { ok: true } | { ok: false; status: StreamStatus };

/** What every start request carries. */
export interface StreamTarget {
  /** Session id chosen by the apiserver (a token of the stream subjects). */
  session: string;
  namespace: string;
  pod: string;
  uid: string;
  container: string;
}

/** `GET pods/<name>/log` parameters. */
export interface LogRequest extends StreamTarget {
  follow?: boolean;
  previous?: boolean;
  timestamps?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  /** RFC 3339. */
  sinceTime?: string;
  limitBytes?: number;
}

/** `pods/<name>/exec` and `pods/<name>/attach` parameters (command only for exec). */
export interface ExecRequest extends StreamTarget {
  command?: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/**
 * One port-forward connection (`pods/<name>/portforward`): the node-agent connects to
 * `port` on localhost inside the pod's network namespace; stdin frames carry the
 * client's bytes, stdout frames the pod's, close-stdin the client's half-close.
 */
export interface PortForwardRequest {
  session: string;
  namespace: string;
  pod: string;
  uid: string;
  port: number;
  /**
   * Flow control: at most this many stdout bytes unacknowledged (ack frames); the
   * node-agent stops reading from the pod until acks come. Absent: no flow control.
   */
  window?: number;
}

/**
 * One connection of the apiserver proxy: the node-agent connects to `address:port`
 * from the node's network namespace (a pod of the node, or the node itself); frames
 * as for a port-forward.
 */
export interface DialRequest {
  session: string;
  address: string;
  port: number;
}

/** The start request kinds. */
export type StreamKind = 'logs' | 'exec' | 'attach' | 'portforward' | 'dial';

/** A subject token for a name that may contain `.` (node names are DNS subdomains). */
function token(name: string): string {
  return name.replace(/[.*>\s%]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Subject of a node's start requests of one kind. */
export function startSubject(node: string, kind: StreamKind): string {
  return `kemu.node.${token(node)}.${kind}`;
}

/** Subjects of one session. */
export function sessionSubjects(session: string): { out: string; in: string; ping: string } {
  const base = `kemu.stream.${token(session)}`;
  return { out: `${base}.out`, in: `${base}.in`, ping: `${base}.ping` };
}

/** One frame: the type byte, then the payload. */
export function encodeFrame(type: number, payload: Uint8Array | string = new Uint8Array(0)): Uint8Array {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  // Every byte is written below: no zero-fill (it showed up in a port-forward's profile).
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = type;
  out.set(body, 1);
  return out;
}

/** Splits a frame into its type and payload; an empty message is undefined. */
export function decodeFrame(data: Uint8Array): { type: number; payload: Buffer } | undefined {
  if (data.length === 0) return undefined;
  return { type: data[0] as number, payload: Buffer.from(data.buffer, data.byteOffset + 1, data.length - 1) };
}

/** Frames carrying `data` on `type`, each at most MAX_FRAME_DATA long. */
export function dataFrames(type: number, data: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += MAX_FRAME_DATA) {
    frames.push(encodeFrame(type, data.subarray(i, i + MAX_FRAME_DATA)));
  }
  return frames;
}

/** Encodes a JSON message. */
export function encodeJson(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** Decodes a JSON message (payload of a start request, reply or end frame). */
export function decodeJson<T>(data: Uint8Array): T {
  return JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.length).toString('utf8')) as T;
}

/** A message as the bus delivers it (a subset of nats.js' Msg). */
export interface BusMsg {
  subject: string;
  reply?: string;
  data: Uint8Array;
  respond(payload?: Uint8Array): boolean;
}

/** The NATS core operations the pod streams use; a nats.js NatsConnection is one. */
export interface NodeBus {
  publish(subject: string, payload?: Uint8Array): void;
  subscribe(subject: string, opts: { callback: (err: Error | null, msg: BusMsg) => void }): { unsubscribe(): void };
  request(subject: string, payload: Uint8Array, opts: { timeout: number }): Promise<{ data: Uint8Array }>;
}
