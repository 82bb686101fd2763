import { type KubeObject, parseCidr } from '@kemu/api';
import { startEventLogFixture } from '@kemu/testkit';
import { describe, expect, it } from 'vitest';
import { NothingToReplayError, createReplayServer } from './replay-mode.js';

const key = { resource: 'endpoints', namespace: 'default', name: 'web' };

function endpoints(ips: string[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-ep' },
    subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [{ port: 8080 }] }],
  } as KubeObject;
}

describe('apiserver replay mode', () => {
  it('serves the projection at a sequence, read-only, whatever the log holds after it', async () => {
    await using fx = await startEventLogFixture();
    await fx.api.put(key, endpoints(['10.244.1.7', '10.244.2.4'])); // 1
    await fx.api.put(key, endpoints(['10.244.2.4'])); // 2
    const eventLog = await fx.connect('replay');
    const serviceCidr = parseCidr('10.96.0.0/12');
    for (const [at, ips] of [
      [1, ['10.244.1.7', '10.244.2.4']],
      [2, ['10.244.2.4']],
    ] as const) {
      const replay = await createReplayServer({ eventLog, at, cluster: 'hist', serviceCidr, log: fx.log });
      expect(replay.seq).toBe(at);
      const [addr] = await replay.server.listen(['127.0.0.1:0']);
      const base = `http://127.0.0.1:${addr?.port}`;
      try {
        const ep = (await (await fetch(`${base}/api/v1/namespaces/default/endpoints/web`)).json()) as {
          subsets: { addresses: { ip: string }[] }[];
        };
        expect(ep.subsets[0]?.addresses.map((a) => a.ip)).toEqual(ips);
        const write = await fetch(`${base}/api/v1/namespaces/default/endpoints/web`, { method: 'DELETE' });
        expect(write.status).toBe(405);
        expect(((await write.json()) as { message: string }).message).toContain(
          `read-only view of cluster hist at sequence ${at} `,
        );
      } finally {
        await replay.server.close();
      }
    }
  });

  it('refuses a moment before the first event', async () => {
    await using fx = await startEventLogFixture();
    await fx.api.put(key, endpoints(['10.244.1.7']));
    const eventLog = await fx.connect('replay');
    await expect(
      createReplayServer({
        eventLog,
        at: new Date('2000-01-01T00:00:00Z'),
        cluster: 'hist',
        serviceCidr: parseCidr('10.96.0.0/12'),
        log: fx.log,
      }),
    ).rejects.toThrow(NothingToReplayError);
  });
});
