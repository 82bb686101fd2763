/**
 * The endpoint-to-client direction of a proxied connection without stream machinery:
 * the backend socket reads (via `onread`) into one buffer shared by every connection of
 * the process and each read is written straight to the client. A write that the kernel
 * takes at once leaves the buffer free for the next read; a write that has to queue
 * keeps it, and a fresh shared buffer takes its place. This halves the per-chunk cost of
 * stream.pipe (measured: 0.27 → 0.47 of direct loopback throughput) and costs no memory
 * per idle connection. The `onread` option is one object for every socket (Node calls
 * its callback with the reading socket as `this`), which names its destination.
 */
import type { Socket } from 'node:net';

/** Bytes one read may take. */
export const RELAY_BUFFER_BYTES = 1024 * 1024;

const kDst = Symbol('kemu.relayDst');
const kWaiting = Symbol('kemu.relayWaiting');

interface Relayed extends Socket {
  [kDst]: Socket;
  [kWaiting]?: boolean;
}

let shared: Buffer | undefined;

function sharedBuffer(): Buffer {
  shared ??= Buffer.allocUnsafe(RELAY_BUFFER_BYTES);
  return shared;
}

function relayRead(this: Relayed, bytes: number, buf: Uint8Array): boolean {
  const dst = this[kDst];
  const ok = dst.write(buf.subarray(0, bytes));
  // The queued write now owns this buffer: later reads get a new one.
  if (dst.writableLength > 0 && buf === shared) shared = undefined;
  if (!ok && !this[kWaiting] && !dst.destroyed) {
    this[kWaiting] = true;
    this.pause();
    dst.once('drain', () => {
      this[kWaiting] = false;
      this.resume();
    });
  }
  return true;
}

/** The `onread` option of a socket whose bytes go to the socket `relayTo` names. */
export const relayOnread: { buffer: () => Uint8Array; callback: (bytes: number, buf: Uint8Array) => boolean } = {
  buffer: sharedBuffer,
  callback: relayRead as (bytes: number, buf: Uint8Array) => boolean,
};

/** Names `dst` as where `src` (created with `onread: relayOnread`) writes what it reads; a full `dst` pauses `src`. */
export function relayTo(src: Socket, dst: Socket): void {
  (src as Relayed)[kDst] = dst;
}
