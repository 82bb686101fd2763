import { describe, expect, it } from 'vitest';
import { declaredEnv } from './pod-env.js';

describe('declaredEnv', () => {
  it('takes plain values of the chosen container and sets HOSTNAME to the pod name', () => {
    const pod = {
      metadata: { name: 'app-pod', uid: 'u' },
      spec: {
        containers: [
          { name: 'app', env: [{ name: 'DB_HOST', value: 'mysql-service' }, { name: 'FROM_REF' }] },
          { name: 'side', env: [{ name: 'X', value: '1' }] },
        ],
      },
    };
    expect(declaredEnv(pod, 'app')).toEqual({ HOSTNAME: 'app-pod', DB_HOST: 'mysql-service' });
  });
});
