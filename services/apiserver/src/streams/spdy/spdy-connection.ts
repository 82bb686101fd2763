/**
 * The server end of a SPDY/3.1 connection as kubectl's port-forward uses it: the
 * client opens every stream (SYN_STREAM), the server accepts each with an empty
 * SYN_REPLY, data flows both ways, FIN half-closes, RST_STREAM resets. PINGs are
 * echoed; SETTINGS, HEADERS and WINDOW_UPDATE are read and ignored, because
 * spdystream sends but never enforces flow control. Frames are handled one after the
 * other (header blocks decompress asynchronously), so a stream's data never overtakes
 * its SYN_STREAM. The bytes come from either a raw upgraded socket or a WebSocket
 * tunnel; the caller feeds them in with `receive` and says when the transport closed.
 */
import {
  ControlType,
  Flag,
  RstStatus,
  SpdyFrameParser,
  type SpdyFrame,
  decodeHeaderPairs,
  encodeData,
  encodeGoAway,
  encodeHeaderPairs,
  encodePing,
  encodeRstStream,
  encodeSynReply,
  parseSynStream,
  streamIdOf,
} from './spdy-frames.js';
import { type HeaderZlib, createHeaderDeflater, createHeaderInflater } from './spdy-headers.js';

/** Where the connection's bytes go. */
export interface SpdyTransport {
  /** Writes; `written` is called once the bytes are handed to the socket. */
  write(bytes: Buffer, written?: () => void): void;
  /** Closes the underlying connection (the client sees the connection lost). */
  close(): void;
}

/** One client-opened stream. */
export interface SpdyStream {
  readonly id: number;
  /** The SYN_STREAM's headers, names lower-case. */
  readonly headers: Record<string, string>;
  /** Writes data; `written` is called once it is handed to the transport's socket. */
  write(data: Buffer, written?: () => void): void;
  /** Half-closes our side (a FIN data frame). */
  end(): void;
  /** Resets the stream. */
  reset(): void;
  /** Data from the client. */
  onData(handler: (data: Buffer) => void): void;
  /** The client half-closed (FIN) its side; called at once when it already has. */
  onEnd(handler: () => void): void;
  /** The stream was reset or the connection closed; called at once when it already was. */
  onClose(handler: () => void): void;
}

/** The server's view of the connection. */
export interface SpdyConnection {
  /** Feeds bytes read from the transport. */
  receive(chunk: Buffer): void;
  /** The transport closed: every stream closes. */
  transportClosed(): void;
  /** Sends GOAWAY and closes the transport. */
  close(): void;
  isClosed(): boolean;
}

interface StreamState {
  stream: SpdyStream;
  remoteEnded: boolean;
  localEnded: boolean;
  closed: boolean;
  dataHandlers: ((data: Buffer) => void)[];
  endHandlers: (() => void)[];
  closeHandlers: (() => void)[];
}

/** Options of a connection. */
export interface SpdyConnectionOptions {
  transport: SpdyTransport;
  onStream(stream: SpdyStream): void;
  /** A protocol error (the connection is closed after it). */
  onError?(err: Error): void;
}

/** Creates the server end over a transport. */
export function createSpdyConnection(o: SpdyConnectionOptions): SpdyConnection {
  const parser = new SpdyFrameParser();
  const inflater: HeaderZlib = createHeaderInflater();
  const deflater: HeaderZlib = createHeaderDeflater();
  const streams = new Map<number, StreamState>();
  let lastStreamId = 0;
  let closed = false;
  let chain: Promise<void> = Promise.resolve();

  function send(bytes: Buffer, written?: () => void): void {
    if (!closed) o.transport.write(bytes, written);
  }

  function closeStream(s: StreamState): void {
    if (s.closed) return;
    s.closed = true;
    streams.delete(s.stream.id);
    for (const h of s.closeHandlers.splice(0)) h();
  }

  function maybeDone(s: StreamState): void {
    if (s.remoteEnded && s.localEnded) closeStream(s);
  }

  function remoteEnd(s: StreamState): void {
    if (s.remoteEnded) return;
    s.remoteEnded = true;
    for (const h of s.endHandlers.splice(0)) h();
    maybeDone(s);
  }

  function openStream(id: number, headers: Record<string, string>): StreamState {
    const state: StreamState = {
      remoteEnded: false,
      localEnded: false,
      closed: false,
      dataHandlers: [],
      endHandlers: [],
      closeHandlers: [],
      stream: {
        id,
        headers,
        write(data, written) {
          if (state.closed || state.localEnded || data.length === 0) return;
          send(encodeData(id, data), written);
        },
        end() {
          if (state.closed || state.localEnded) return;
          state.localEnded = true;
          send(encodeData(id, Buffer.alloc(0), true));
          maybeDone(state);
        },
        reset() {
          if (state.closed) return;
          send(encodeRstStream(id, RstStatus.cancel));
          closeStream(state);
        },
        onData(h) {
          state.dataHandlers.push(h);
        },
        onEnd(h) {
          if (state.remoteEnded) h();
          else state.endHandlers.push(h);
        },
        onClose(h) {
          if (state.closed) h();
          else state.closeHandlers.push(h);
        },
      },
    };
    return state;
  }

  async function onSynStream(frame: { flags: number; body: Buffer }): Promise<void> {
    const syn = parseSynStream(frame.body);
    const headers = decodeHeaderPairs(await inflater.run(syn.headerBlock));
    if (closed) return;
    if (syn.streamId <= lastStreamId || syn.streamId % 2 === 0) {
      send(encodeRstStream(syn.streamId, RstStatus.protocolError));
      return;
    }
    lastStreamId = syn.streamId;
    const state = openStream(syn.streamId, headers);
    streams.set(syn.streamId, state);
    const reply = await deflater.run(encodeHeaderPairs({}));
    send(encodeSynReply(syn.streamId, reply));
    o.onStream(state.stream);
    if (frame.flags & Flag.fin) remoteEnd(state);
  }

  async function handle(frame: SpdyFrame): Promise<void> {
    if (closed) return;
    if (frame.kind === 'data') {
      const s = streams.get(frame.streamId);
      if (!s || s.remoteEnded) return;
      if (frame.data.length > 0) for (const h of s.dataHandlers) h(frame.data);
      if (frame.flags & Flag.fin) remoteEnd(s);
      return;
    }
    switch (frame.type) {
      case ControlType.synStream:
        return onSynStream(frame);
      case ControlType.rstStream: {
        const s = streams.get(streamIdOf(frame.body));
        if (s) closeStream(s);
        return;
      }
      case ControlType.ping:
        send(encodePing(frame.body.readUInt32BE(0)));
        return;
      case ControlType.goAway:
        connection.close();
        return;
      case ControlType.headers:
        // Header blocks share the compression context: inflate to keep it in step.
        await inflater.run(frame.body.subarray(4));
        return;
      default:
        return;
    }
  }

  function fail(err: Error): void {
    o.onError?.(err);
    connection.close();
  }

  const connection: SpdyConnection = {
    receive(chunk) {
      if (closed) return;
      let frames: SpdyFrame[];
      try {
        frames = parser.push(chunk);
      } catch (err) {
        fail(err as Error);
        return;
      }
      for (const f of frames) chain = chain.then(() => handle(f)).catch(fail);
    },
    transportClosed() {
      if (closed) return;
      closed = true;
      for (const s of [...streams.values()]) closeStream(s);
      inflater.close();
      deflater.close();
    },
    close() {
      if (closed) return;
      send(encodeGoAway(lastStreamId));
      o.transport.close();
      connection.transportClosed();
    },
    isClosed: () => closed,
  };
  return connection;
}
