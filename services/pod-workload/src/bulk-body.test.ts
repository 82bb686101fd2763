import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { bulkSize, sendBulk } from './bulk-body.js';

describe('bulk body', () => {
  it('parses /bytes/<n> and nothing else', () => {
    expect(bulkSize('/bytes/1048576')).toBe(1048576);
    expect(bulkSize('/bytes/')).toBeUndefined();
    expect(bulkSize('/bytes/12x')).toBeUndefined();
    expect(bulkSize('/api')).toBeUndefined();
    expect(bulkSize(`/bytes/${17 * 1024 ** 3}`)).toBeUndefined();
  });

  it('streams exactly the asked number of bytes', async () => {
    const server = createServer((_req, res) => sendBulk(res, 3 * 256 * 1024 + 7));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/bytes/x`);
    const body = Buffer.from(await res.arrayBuffer());
    server.close();
    expect(res.headers.get('content-length')).toBe(String(3 * 256 * 1024 + 7));
    expect(body.length).toBe(3 * 256 * 1024 + 7);
    expect(body.every((b) => b === 0x61)).toBe(true);
  });
});
