/**
 * The client-to-endpoint direction of a proxied connection without stream.pipe: the
 * client's 'data' events are written straight to the endpoint, a full write buffer
 * pauses the client until 'drain', and the client's end becomes the endpoint's end. pipe
 * does the same but sets up about ten listeners and closures per connection and tears
 * them down again at the end, which for short connections costs more than the bytes.
 * The handlers here are shared by every connection; each socket names its peer.
 */
import type { Socket } from 'node:net';

const kPeer = Symbol('kemu.forwardPeer');
const kWaiting = Symbol('kemu.forwardWaiting');

interface Forwarded extends Socket {
  [kPeer]: Socket;
  [kWaiting]?: boolean;
}

function onData(this: Forwarded, chunk: Buffer): void {
  const dst = this[kPeer];
  if (!dst.write(chunk) && !this[kWaiting] && !dst.destroyed) {
    this[kWaiting] = true;
    this.pause();
    dst.once('drain', () => {
      this[kWaiting] = false;
      this.resume();
    });
  }
}

function onEnd(this: Forwarded): void {
  this[kPeer].end();
}

/** Starts moving `src`'s bytes to `dst` (backpressure included) and ends `dst` when `src` ends. */
export function forward(src: Socket, dst: Socket): void {
  (src as Forwarded)[kPeer] = dst;
  src.on('data', onData);
  src.on('end', onEnd);
  src.resume();
}
