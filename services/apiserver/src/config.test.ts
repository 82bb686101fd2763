import { describe, expect, it } from 'vitest';
import { configFromEnv } from './config.js';

const files = {
  KEMU_APISERVER_CERT: '/pki/a.crt',
  KEMU_APISERVER_KEY: '/pki/a.key',
  KEMU_APISERVER_TOKEN_FILE: '/pki/t.csv',
};

describe('apiserver config', () => {
  it('fills the defaults', () => {
    expect(configFromEnv(files)).toEqual({
      natsUrl: ['nats://127.0.0.1:4222'],
      streamReplicas: 1,
      logLevel: 'info',
      listen: ['127.0.0.1:6443'],
      advertise: undefined,
      serviceCidr: { network: 0x0a600000, prefixLength: 12 },
      cluster: 'local',
      certFile: '/pki/a.crt',
      keyFile: '/pki/a.key',
      tokenFile: '/pki/t.csv',
      replayAt: undefined,
    });
  });

  it('reads the replay moment as a sequence or a time, and refuses a relative one', () => {
    expect(configFromEnv({ ...files, KEMU_APISERVER_REPLAY_AT: 'seq:143' }).replayAt).toBe(143);
    expect(configFromEnv({ ...files, KEMU_APISERVER_REPLAY_AT: '2026-11-26T19:24:57Z' }).replayAt).toEqual(
      new Date('2026-11-26T19:24:57Z'),
    );
    expect(() => configFromEnv({ ...files, KEMU_APISERVER_REPLAY_AT: '-2m' })).toThrow(
      'KEMU_APISERVER_REPLAY_AT must be seq:N or an RFC 3339 time, got "-2m"',
    );
  });

  it('requires its certificate, key and token file', () => {
    expect(() => configFromEnv({ ...files, KEMU_APISERVER_KEY: '' })).toThrow('KEMU_APISERVER_KEY is required');
  });

  it("refuses a Service range wider than /12 with kube-apiserver's message, and a bad listen list", () => {
    expect(() => configFromEnv({ ...files, KEMU_SERVICE_CIDR: '10.0.0.0/11' })).toThrow(
      'specified KEMU_SERVICE_CIDR is too large; for 32-bit addresses, the mask must be >= 12',
    );
    expect(() => configFromEnv({ ...files, KEMU_APISERVER_LISTEN: '127.0.0.1' })).toThrow(
      'KEMU_APISERVER_LISTEN must be comma-separated HOST:PORT, got "127.0.0.1"',
    );
  });
});
