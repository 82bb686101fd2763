import { describe, expect, it } from 'vitest';
import { configFromEnv } from './config.js';

describe('cli config', () => {
  it('leaves unset what each command defaults itself', () => {
    expect(configFromEnv({})).toEqual({
      cluster: undefined,
      home: undefined,
      servicesDir: undefined,
      natsUrl: undefined,
      streamReplicas: 1,
      baseImage: undefined,
      logLevel: undefined,
      debug: false,
    });
  });

  it('reads its variables and refuses a bad one naming it', () => {
    expect(
      configFromEnv({ KEMU_CLUSTER: 'demo', KEMU_NATS_URL: 'nats://a:4222,nats://b:4222', KEMU_DEBUG: '1' }),
    ).toMatchObject({
      cluster: 'demo',
      natsUrl: ['nats://a:4222', 'nats://b:4222'],
      debug: true,
    });
    expect(() => configFromEnv({ KEMU_LOG_LEVEL: 'loud' })).toThrow(/^KEMU_LOG_LEVEL must be one of fatal, error/);
    expect(() => configFromEnv({ KEMU_NATS_URL: '10.0.0.1:4222' })).toThrow(/^KEMU_NATS_URL must be/);
  });
});
