import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from './config.js';

describe('workload config', () => {
  it('fills the defaults, the pod name from HOSTNAME', () => {
    expect(configFromEnv({ HOSTNAME: 'web-1' })).toMatchObject({
      pod: 'web-1',
      ports: [8080],
      portsDeclared: false,
      host: '0.0.0.0',
      readyDelaySeconds: 0,
      failAfterSeconds: undefined,
      grpcPort: undefined,
      dbHost: 'localhost',
      dbPort: 3306,
    });
  });

  it('reads what the node-agent and the pod spec set', () => {
    const c = configFromEnv({
      KEMU_POD_NAME: 'web',
      KEMU_CONTAINER_PORTS: '8080,9090',
      KEMU_READY_DELAY_SECONDS: '0.5',
      KEMU_GRPC_PORT: '9000',
      KEMU_BURN_CPU: '1.5',
    });
    expect(c).toMatchObject({ pod: 'web', ports: [8080, 9090], portsDeclared: true, readyDelaySeconds: 0.5 });
    expect(c).toMatchObject({ grpcPort: 9000, burnCpuThreads: 1.5 });
  });

  it('refuses a bad value naming the variable', () => {
    expect(() => configFromEnv({ KEMU_CONTAINER_PORTS: '80,http' })).toThrow(ConfigError);
    expect(() => configFromEnv({ KEMU_FAIL_AFTER_SECONDS: 'soon' })).toThrow(
      'KEMU_FAIL_AFTER_SECONDS must be number ≥ 0, got "soon"',
    );
  });
});
