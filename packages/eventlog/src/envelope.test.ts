import { isNativeAccelerationEnabled } from 'msgpackr/unpack';
import { describe, expect, it } from 'vitest';
import { type LogEvent, SCHEMA_VERSION, decodeEvent, encodeEvent } from './envelope.js';
import { createView } from './projection.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot.js';

const pod = (name: string): LogEvent => ({
  v: SCHEMA_VERSION,
  type: 'Put',
  key: { resource: 'pods', namespace: 'default', name },
  uid: '6c1e4b0a-3f43-4d0e-9d4b-5f3a1c0f2e11',
  time: '2026-12-07T18:06:45.334Z',
  actor: { component: 'controller' },
  object: {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'growth', 'pod-template-hash': 'bf7f5dcd7' } },
  },
});

describe('envelope', () => {
  it('decodes what it encodes', () => {
    const e = pod('growth-bf7f5dcd7-qt2vb');
    expect(decodeEvent(encodeEvent(e))).toEqual(e);
  });

  it('leaves msgpackr without its native string extractor, whose slices keep whole records alive', () => {
    decodeEvent(encodeEvent(pod('growth-bf7f5dcd7-x')));
    decodeSnapshot(encodeSnapshot(createView()));
    expect(isNativeAccelerationEnabled).toBe(false);
  });
});
