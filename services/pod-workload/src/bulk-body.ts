/**
 * `/bytes/<n>`: streams n bytes (like httpbin's /stream-bytes), so throughput through a
 * Service can be measured against the same pod directly. Writes respect backpressure.
 */
import type { ServerResponse } from 'node:http';

const CHUNK = Buffer.alloc(256 * 1024, 0x61);
/** Largest body one request may ask for (16 GiB). */
export const MAX_BULK_BYTES = 16 * 1024 ** 3;

/** Parses `/bytes/<n>`; undefined when the path is not a bulk request. */
export function bulkSize(pathname: string): number | undefined {
  const m = /^\/bytes\/(\d{1,12})$/.exec(pathname);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n <= MAX_BULK_BYTES ? n : undefined;
}

/** Streams `total` bytes as the response body. */
export function sendBulk(res: ServerResponse, total: number): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
  let left = total;
  const pump = (): void => {
    while (left > 0) {
      const n = Math.min(left, CHUNK.length);
      left -= n;
      const more = res.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n));
      if (!more && left > 0) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
}
