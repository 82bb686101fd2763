import { describe, expect, it } from 'vitest';
import {
  Frame,
  MAX_FRAME_DATA,
  dataFrames,
  decodeFrame,
  encodeFrame,
  sessionSubjects,
  startSubject,
} from './pod-stream-protocol.js';

describe('pod stream protocol', () => {
  it('names subjects per node and session, escaping dots in names', () => {
    expect(startSubject('node-1', 'exec')).toBe('kemu.node.node-1.exec');
    expect(startSubject('worker.example', 'logs')).toBe('kemu.node.worker%2eexample.logs');
    expect(sessionSubjects('abc')).toEqual({
      out: 'kemu.stream.abc.out',
      in: 'kemu.stream.abc.in',
      ping: 'kemu.stream.abc.ping',
    });
  });

  it('round-trips a frame', () => {
    const f = encodeFrame(Frame.stdout, 'hi');
    expect([...f]).toEqual([1, 104, 105]);
    const d = decodeFrame(f);
    expect(d?.type).toBe(Frame.stdout);
    expect(d?.payload.toString()).toBe('hi');
    expect(decodeFrame(new Uint8Array(0))).toBeUndefined();
    expect(decodeFrame(encodeFrame(Frame.closeStdin))?.payload.length).toBe(0);
  });

  it('splits large data into frames of at most MAX_FRAME_DATA bytes', () => {
    const data = Buffer.alloc(MAX_FRAME_DATA * 2 + 5, 7);
    const frames = dataFrames(Frame.stderr, data);
    expect(frames.map((f) => f.length)).toEqual([MAX_FRAME_DATA + 1, MAX_FRAME_DATA + 1, 6]);
    expect(frames.every((f) => f[0] === Frame.stderr)).toBe(true);
    expect(dataFrames(Frame.stdout, Buffer.alloc(0))).toEqual([]);
  });
});
