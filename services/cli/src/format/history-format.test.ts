import { describe, expect, it } from 'vitest';
import { parseArgs, valueFlagSpec } from '../args.js';
import { historyOptions, resolveResource } from '../commands/events.js';
import { UsageError } from '../errors.js';
import { type EventsEntry, entryJson, formatEntryLine, withChanges } from './history-format.js';

const entry: EventsEntry = {
  seq: 412,
  time: new Date('2026-11-26T19:26:50.337Z'),
  type: 'MODIFIED',
  actor: { component: 'controller' },
  key: { resource: 'endpoints', namespace: 'default', name: 'web' },
  uid: 'u1',
  object: { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web' } },
  old: undefined,
  changes: ['-10.244.1.2:8080', '10.244.2.2:8080: notReady→ready'],
};

describe('kemu events output', () => {
  it('prints time with milliseconds, sequence, actor, verb, object and changes on one line', () => {
    expect(formatEntryLine(entry)).toBe(
      '2026-11-26T19:26:50.337Z #412    controller               MODIFIED endpoints default/web                    -10.244.1.2:8080, 10.244.2.2:8080: notReady→ready',
    );
    expect(
      formatEntryLine({
        ...entry,
        actor: { component: 'node-agent', node: 'node-2' },
        key: { resource: 'nodes', namespace: '', name: 'node-2' },
        changes: ['heartbeat'],
      }),
    ).toMatch(/ node-agent\/node-2 +MODIFIED nodes node-2 +heartbeat$/);
  });

  it('prints JSON with the fields a program reads', () => {
    expect(entryJson(entry)).toEqual({
      seq: 412,
      time: '2026-11-26T19:26:50.337Z',
      actor: { component: 'controller' },
      type: 'MODIFIED',
      resource: 'endpoints',
      namespace: 'default',
      name: 'web',
      uid: 'u1',
      changes: ['-10.244.1.2:8080', '10.244.2.2:8080: notReady→ready'],
    });
  });

  it('tells what changed against the previous version, and nothing for a deletion', () => {
    const pod = (phase: string) =>
      ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1' }, status: { phase } }) as EventsEntry['object'];
    const read = { ...entry, key: { resource: 'pods', namespace: 'default', name: 'web-1' } };
    expect(withChanges({ ...read, old: pod('Pending'), object: pod('Running') }).changes).toEqual([
      'status.phase: Pending→Running',
    ]);
    expect(withChanges({ ...read, type: 'DELETED', old: pod('Running'), object: pod('Running') }).changes).toEqual([]);
  });

  it('turns flags into a range and a filter, with kubectl resource names', () => {
    const specs = ['since', 'until', 'resource', 'selector', 'namespace'].map((n) => valueFlagSpec(n));
    const args = parseArgs(
      ['--since', '#10', '--until', '-1m', '--resource', 'po,ep,deploy.apps', '--selector', 'app=web'],
      specs,
    );
    const o = historyOptions({ args }, Date.parse('2026-11-26T19:00:00Z'));
    expect(o.fromSeq).toBe(10);
    expect(o.until).toEqual(new Date('2026-11-26T18:59:00Z'));
    expect(o.filter).toEqual({
      resources: ['pods', 'endpoints', 'deployments'],
      namespace: undefined,
      labelSelector: 'app=web',
    });
    expect(() => resolveResource('widgets')).toThrow(UsageError);
  });
});
