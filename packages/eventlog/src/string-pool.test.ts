import { describe, expect, it } from 'vitest';
import { decodeEvent, encodeEvent, SCHEMA_VERSION, type LogEvent } from './envelope.js';
import { internStrings } from './string-pool.js';

const event = (name: string): LogEvent => ({
  v: SCHEMA_VERSION,
  type: 'Put',
  key: { resource: 'pods', namespace: 'default', name },
  uid: 'u',
  time: '2026-12-07T18:06:45.334Z',
  actor: { component: 'controller' },
  object: {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'growth' } },
    spec: { containers: [{ name: 'web', image: 'nginx' }] },
  } as LogEvent['object'],
});

describe('internStrings', () => {
  it('leaves values equal, and bytes and long strings untouched', () => {
    const bytes = Uint8Array.of(1, 2, 3);
    const long = 'x'.repeat(100);
    const v = { a: ['default', { b: 'True' }], bytes, long, n: 3, nil: null };
    expect(internStrings(structuredClone(v))).toEqual(v);
    expect(internStrings({ bytes }).bytes).toBe(bytes);
  });

  it('gives decoded objects equal values (the pool only shares their copies)', () => {
    const a = decodeEvent(encodeEvent(event('a')));
    const b = decodeEvent(encodeEvent(event('b')));
    expect(a.object.metadata.namespace).toBe('default');
    expect(b.object).toEqual(event('b').object);
    expect(a.object.metadata.name).toBe('a');
  });
});
