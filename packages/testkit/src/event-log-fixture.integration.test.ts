import { getObject } from '@kemu/eventlog';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { pod } from './builders.js';
import { startEventLogFixture } from './event-log-fixture.js';
import { eventually } from './poll.js';

describe('startEventLogFixture', () => {
  it('gives a synced informer and a writer whose objects other clients see, and stops the server on dispose', async () => {
    let url = '';
    {
      await using fx = await startEventLogFixture();
      url = fx.nats.url;
      const other = await fx.connectWithInformer('other');
      const key = { resource: 'pods', namespace: 'default', name: 'a' };
      await fx.api.put(key, pod('a', { node: 'node-1' }));
      const seen = await eventually(() => getObject(other.informer.view, key), { what: 'pod a' });
      expect(seen.metadata.uid).toBe('uid-a');
    }
    const port = Number(new URL(url).port);
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect({ port, host: '127.0.0.1' });
      s.on('connect', () => {
        s.destroy();
        resolve(false);
      });
      s.on('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});
