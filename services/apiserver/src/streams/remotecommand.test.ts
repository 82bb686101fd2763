import { describe, expect, it } from 'vitest';
import { parseLogQuery } from './pod-log.js';
import { exitStatus, offeredProtocols, parseClientMessage, pickProtocol } from './remotecommand.js';

describe('remotecommand', () => {
  it('picks v5, then v4, from what the client offers', () => {
    expect(pickProtocol(offeredProtocols('v5.channel.k8s.io'))).toBe('v5.channel.k8s.io');
    expect(pickProtocol(offeredProtocols('v4.channel.k8s.io, v5.channel.k8s.io'))).toBe('v5.channel.k8s.io');
    expect(pickProtocol(offeredProtocols(['v4.channel.k8s.io', 'channel.k8s.io']))).toBe('v4.channel.k8s.io');
    expect(pickProtocol(offeredProtocols('channel.k8s.io'))).toBeUndefined();
    expect(pickProtocol(offeredProtocols(undefined))).toBeUndefined();
  });

  it('decodes stdin, resize and the v5 close of stdin', () => {
    expect(parseClientMessage(Buffer.from([0, 120]), 'v5.channel.k8s.io')).toEqual({
      kind: 'stdin',
      data: Buffer.from('x'),
    });
    expect(parseClientMessage(Buffer.from('\x04{"Width":80,"Height":24}'), 'v5.channel.k8s.io')).toEqual({
      kind: 'resize',
      payload: Buffer.from('{"Width":80,"Height":24}'),
    });
    expect(parseClientMessage(Buffer.from([255, 0]), 'v5.channel.k8s.io')).toEqual({ kind: 'close', stream: 0 });
    expect(parseClientMessage(Buffer.from([255, 0]), 'v4.channel.k8s.io')).toEqual({ kind: 'ignored' });
    expect(parseClientMessage(Buffer.alloc(0), 'v5.channel.k8s.io')).toEqual({ kind: 'ignored' });
  });

  it('words the exit Status as kubectl expects it', () => {
    expect(exitStatus(['sh', '-c', 'exit 3'], 0)).toEqual({ metadata: {}, status: 'Success' });
    expect(JSON.stringify(exitStatus(['sh', '-c', 'exit 3'], 3))).toBe(
      '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}',
    );
  });
});

describe('parseLogQuery', () => {
  it('reads the PodLogOptions kubectl sends', () => {
    expect(
      parseLogQuery(
        new URLSearchParams(
          'container=c&follow=true&previous=true&timestamps=true&tailLines=10&sinceSeconds=5&limitBytes=100',
        ),
      ),
    ).toEqual({ follow: true, previous: true, timestamps: true, tailLines: 10, sinceSeconds: 5, limitBytes: 100 });
    expect(parseLogQuery(new URLSearchParams('sinceTime=2026-01-02T03:04:05Z'))).toEqual({
      sinceTime: '2026-01-02T03:04:05Z',
    });
    expect(parseLogQuery(new URLSearchParams(''))).toEqual({});
  });

  it('refuses values the apiserver would refuse', () => {
    expect(() => parseLogQuery(new URLSearchParams('tailLines=x'))).toThrow(/tailLines/);
    expect(() => parseLogQuery(new URLSearchParams('sinceSeconds=0'))).toThrow(/sinceSeconds/);
    expect(() => parseLogQuery(new URLSearchParams('limitBytes=0'))).toThrow(/limitBytes/);
    expect(() => parseLogQuery(new URLSearchParams('sinceSeconds=5&sinceTime=2026-01-02T03:04:05Z'))).toThrow(
      /at most one/,
    );
  });
});
