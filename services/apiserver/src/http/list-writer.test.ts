import { type Server, createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sendList } from './list-writer.js';

const pods = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    metadata: { name: `p-${i}`, namespace: 'ns', labels: { note: 'quote " and \u0000 inside' } },
    status: { phase: 'Running', podIP: `10.0.${i >> 8}.${i & 255}` },
  }));

describe('sendList', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  async function serve(body: object, onSent?: () => void, print?: (e: never) => unknown): Promise<string> {
    server = createServer((_req, res) => void sendList(res, body, print).then(onSent));
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  it('sends a large list in pieces whose bytes are the whole reply encoded at once', async () => {
    const list = {
      kind: 'PodList',
      apiVersion: 'v1',
      metadata: { resourceVersion: '7', continue: 'x' },
      items: pods(1001),
    };
    const res = await fetch(await serve(list));
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect(await res.text()).toBe(JSON.stringify(list));
  });

  it('sends a Table the same way and a small list at once with its length', async () => {
    const table = { kind: 'Table', metadata: {}, columnDefinitions: [{ name: 'Name' }], rows: pods(600), after: 1 };
    expect(await (await fetch(await serve(table))).text()).toBe(JSON.stringify(table));
    server?.close();
    const small = { kind: 'PodList', items: pods(3) };
    const res = await fetch(await serve(small));
    expect(res.headers.get('content-length')).toBe(String(JSON.stringify(small).length));
    expect(await res.json()).toEqual(small);
  });

  it('prints each row as it sends it, large Table or small', async () => {
    const print = (p: { metadata: { name: string } }) => ({ cells: [p.metadata.name, 'Running'] });
    for (const n of [3, 2000]) {
      const table = { kind: 'Table', metadata: {}, columnDefinitions: [{ name: 'Name' }], rows: pods(n) };
      const text = await (await fetch(await serve(table, undefined, print as (e: never) => unknown))).text();
      expect(text).toBe(JSON.stringify({ ...table, rows: table.rows.map(print) }));
      server?.close();
    }
  });

  it('stops writing when the client goes away mid-list', async () => {
    let sent = false;
    const url = await serve({ kind: 'PodList', items: pods(100_000) }, () => {
      sent = true;
    });
    await new Promise<void>((resolve, reject) => {
      const req = get(url, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      setTimeout(() => reject(new Error('no data')), 10_000).unref();
    });
    const deadline = Date.now() + 10_000;
    while (!sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(sent).toBe(true);
  });
});
