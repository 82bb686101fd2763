import type { Event } from '@kemu/api';
import { buildEvent } from '@kemu/event-recorder';
import { listObjects } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { eventually, startEventLogFixture } from '@kemu/testkit';
import { describe, expect, it } from 'vitest';
import { createEventTtlController, expiredEvents, lastOccurrence } from './event-ttl.js';

const log = createLogger({ component: 'test', level: 'silent' });
const NOW = Date.parse('2026-01-02T12:00:00Z');
const HOUR = 3_600_000;

function event(name: string, lastMs: number): Event {
  const e = buildEvent(
    { component: 'kubelet', host: 'node-1' },
    { involvedObject: { kind: 'Pod', namespace: 'default', name }, type: 'Normal', reason: 'Started', message: 'm' },
    lastMs,
  );
  return e;
}

describe('expiredEvents', () => {
  it('expires an Event an hour after its last occurrence, not its first', () => {
    const old = event('old', NOW - HOUR - 1_000);
    const repeated = { ...event('repeated', NOW - 2 * HOUR), lastTimestamp: '2026-01-02T11:30:00Z' };
    const onlyEventTime = {
      ...event('new-api', 0),
      firstTimestamp: null,
      lastTimestamp: null,
      eventTime: '2026-01-02T10:00:00.000000Z',
    };
    expect(lastOccurrence(repeated)).toBe(NOW - HOUR / 2);
    expect(expiredEvents([old, repeated, onlyEventTime], NOW, HOUR).map((e) => e.involvedObject.name)).toEqual([
      'old',
      'new-api',
    ]);
  });
});

describe('event TTL controller', () => {
  it('deletes expired Events from the log and keeps fresh ones', async () => {
    await using fx = await startEventLogFixture({ component: 'controller' });
    const { informer, api: writer } = fx;
    for (const e of [event('stale', NOW - 2 * HOUR), event('fresh', NOW - 60_000)])
      await writer.put({ resource: 'events', namespace: 'default', name: e.metadata.name }, e, 0);
    const ttl = createEventTtlController(
      { informer, writer, log, now: () => new Date(NOW) },
      { ttlMs: HOUR, periodMs: 60_000 },
    );
    ttl.start();
    await eventually(() => listObjects(informer.view, 'events').length === 1, {
      what: 'the stale event deleted',
    });
    await ttl.idle();
    expect(listObjects(informer.view, 'events').map((e) => e.involvedObject.name)).toEqual(['fresh']);
    await ttl.stop();
  });
});
