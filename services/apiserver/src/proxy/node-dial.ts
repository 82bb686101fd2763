/**
 * A TCP connection made by a node-agent (the `dial` stream kind of @kemu/pod-streams),
 * as a Duplex the apiserver's HTTP client can run a request over: writes go out as
 * stdin frames, the end as close-stdin, the node's bytes come back as stdout frames. A
 * failed dial rejects with the Status the node-agent gave.
 */
import { Frame, type NodeBus } from '@kemu/pod-streams';
import { Duplex } from 'node:stream';
import { type NodeStream, openNodeStream, streamError } from '../streams/node-stream-client.js';

/** Connects to `address:port` through the node-agent of `node`. */
export async function dialThroughNode(bus: NodeBus, node: string, address: string, port: number): Promise<Duplex> {
  let stream: NodeStream | undefined;
  const duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      stream?.send(Frame.stdin, chunk);
      cb();
    },
    final(cb) {
      stream?.send(Frame.closeStdin);
      cb();
    },
    destroy(err, cb) {
      stream?.cancel();
      cb(err);
    },
  });
  stream = await openNodeStream(
    bus,
    node,
    'dial',
    { address, port },
    {
      onData: (_type, data) => duplex.push(data),
      onEnd: (end) => {
        if (end.status) duplex.destroy(streamError(end.status));
        else duplex.push(null);
      },
    },
  );
  return duplex;
}
