/**
 * One `kubectl port-forward` connection to a pod, after the upgrade: kubectl opens a
 * pair of SPDY streams per local connection (`streamType` error, then data, with the
 * same `requestID` and the `port` header), as the kubelet's httpstream port-forward
 * server expects. Each complete pair becomes one session with the pod's node-agent
 * over NATS, which dials the port inside the pod's network namespace. Data on the data
 * stream is relayed both ways; a failure is written to the error stream as the kubelet
 * words it ("error forwarding port ..."), which kubectl prints; a client reset or
 * half-close cancels or half-closes the pod side. Flow control: the node-agent stops
 * reading from the pod while PORT_FORWARD_WINDOW bytes are not yet handed to kubectl's
 * socket, so a slow client does not pile a download up in memory or on NATS.
 */
import type { NodeBus } from '@kemu/pod-streams';
import { Frame } from '@kemu/pod-streams';
import type { Logger } from '@kemu/log';
import { type NodeStream, openNodeStream } from './node-stream-client.js';
import type { SpdyStream } from './spdy/spdy-connection.js';

/** The pod a port-forward connection is for. */
export interface PortForwardPod {
  namespace: string;
  name: string;
  uid: string;
  node: string;
}

/** Unacknowledged bytes a node-agent may send per connection (flow control). */
export const PORT_FORWARD_WINDOW = 4 * 1024 * 1024;
/** Acks are sent in batches of at least this many bytes. */
const ACK_BATCH = 256 * 1024;

interface Pair {
  data?: SpdyStream;
  error?: SpdyStream;
}

/** Pairs a connection's streams and relays each pair; returns the per-stream handler. */
export function createPortForwardSession(bus: NodeBus, pod: PortForwardPod, log: Logger): (s: SpdyStream) => void {
  const pairs = new Map<string, Pair>();

  function requestIdOf(s: SpdyStream): string {
    const id = s.headers.requestid;
    if (id !== undefined && id !== '') return id;
    // Clients before requestID pair the data stream with the error stream opened just before it.
    return String(s.headers.streamtype === 'data' ? s.id - 2 : s.id);
  }

  function fail(pair: Required<Pair>, port: string, message: string): void {
    pair.error.write(
      Buffer.from(`error forwarding port ${port} to pod ${pod.name}, uid ${pod.uid}: ${message}`, 'utf8'),
    );
    pair.error.end();
    pair.data.end();
  }

  async function relay(pair: Required<Pair>): Promise<void> {
    const portText = pair.data.headers.port ?? '';
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      fail(pair, portText, `invalid port "${portText}"`);
      return;
    }
    let stream: NodeStream | undefined;
    let gone = false;
    // What the client's socket has taken, acknowledged to the node-agent in batches.
    let toAck = 0;
    const ack = (n: number) => {
      toAck += n;
      if (toAck < ACK_BATCH || !stream) return;
      const frame = Buffer.alloc(4);
      frame.writeUInt32BE(toAck, 0);
      toAck = 0;
      stream.send(Frame.ack, frame);
    };
    const pending: Buffer[] = [];
    let clientEnded = false;
    pair.data.onData((d) => {
      if (stream) stream.send(Frame.stdin, d);
      else pending.push(d);
    });
    pair.data.onEnd(() => {
      clientEnded = true;
      stream?.send(Frame.closeStdin);
    });
    const onGone = () => {
      gone = true;
      stream?.cancel();
    };
    pair.data.onClose(onGone);
    pair.error.onClose(onGone);
    try {
      stream = await openNodeStream(
        bus,
        pod.node,
        'portforward',
        { namespace: pod.namespace, pod: pod.name, uid: pod.uid, port, window: PORT_FORWARD_WINDOW },
        {
          onData: (_type, data) => pair.data.write(data, () => ack(data.length)),
          onEnd: (end) => {
            if (end.status) fail(pair, portText, end.status.message);
            else {
              pair.error.end();
              pair.data.end();
            }
          },
        },
      );
    } catch (err) {
      log.debug({ err, port }, 'port-forward refused');
      fail(pair, portText, (err as Error).message);
      return;
    }
    if (gone) {
      stream.cancel();
      return;
    }
    for (const d of pending.splice(0)) stream.send(Frame.stdin, d);
    if (clientEnded) stream.send(Frame.closeStdin);
  }

  return (s) => {
    const type = s.headers.streamtype;
    if (type !== 'data' && type !== 'error') {
      s.reset();
      return;
    }
    const id = requestIdOf(s);
    const pair = pairs.get(id) ?? {};
    if (pair[type]) {
      s.reset();
      return;
    }
    pair[type] = s;
    pairs.set(id, pair);
    s.onClose(() => {
      if (pairs.get(id) === pair) pairs.delete(id);
    });
    if (pair.data && pair.error) {
      pairs.delete(id);
      void relay(pair as Required<Pair>);
    }
  };
}
