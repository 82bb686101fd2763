import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createQueryLog } from './query-log.js';

describe('createQueryLog', () => {
  it('keeps names with quotes, backslashes and control bytes valid JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kemu-dns-qlog-'));
    const path = join(dir, 'dns.log');
    const fd = openSync(path, 'a');
    try {
      const log = createQueryLog({ node: 'n"1', fd });
      const name = 'a"b\\046c\u0001.cluster.local';
      log.write({ name, type: 'TYPE99', rcode: 'NXDOMAIN', ms: 1, client: '1.2.3.4:5', proto: 'tcp' });
      log.close();
      expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ name, node: 'n"1', type: 'TYPE99' });
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes one pino JSON line per query, buffered until flushed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kemu-dns-qlog-'));
    const path = join(dir, 'dns.log');
    const fd = openSync(path, 'a');
    try {
      const log = createQueryLog({ node: 'node-1', fd, flushMs: 60_000 });
      for (let i = 0; i < 3; i++) {
        log.write({
          name: 'web-service.default.svc.cluster.local',
          type: 'A',
          rcode: 'NOERROR',
          ms: 0.12345,
          client: '10.244.1.5:4000',
          proto: 'udp',
        });
      }
      expect(readFileSync(path, 'utf8')).toBe('');
      log.close();
      const lines = readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatchObject({
        level: 30,
        component: 'dns',
        node: 'node-1',
        name: 'web-service.default.svc.cluster.local',
        type: 'A',
        rcode: 'NOERROR',
        ms: 0.123,
        client: '10.244.1.5:4000',
        proto: 'udp',
        msg: 'query',
      });
      expect(new Date(lines[0]?.time as string).toISOString()).toBe(lines[0]?.time);
      expect(Object.keys(lines[0] ?? {})).toEqual([
        'level',
        'time',
        'component',
        'node',
        'pid',
        'name',
        'type',
        'rcode',
        'ms',
        'client',
        'proto',
        'msg',
      ]);
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
