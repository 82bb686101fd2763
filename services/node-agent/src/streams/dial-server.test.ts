import { createView } from '@kemu/eventlog';
import { pod } from '@kemu/testkit';
import { describe, expect, it } from 'vitest';
import { dialAllowed, dialError } from './dial-server.js';
import { NetnsDialError } from './netns-dialer.js';
import { connectFailure } from './port-forward-server.js';

describe('dialAllowed', () => {
  it('allows the node itself and the pods of this node, nothing else', () => {
    const view = createView();
    view.objects.set('pods/default/a', pod('a', { node: 'node-1', ip: '10.244.1.5' }));
    view.objects.set('pods/default/b', pod('b', { node: 'node-2', ip: '10.244.2.5' }));
    expect(dialAllowed(view, 'node-1', ['192.168.0.1'], '192.168.0.1')).toBe(true);
    expect(dialAllowed(view, 'node-1', ['192.168.0.1'], '10.244.1.5')).toBe(true);
    expect(dialAllowed(view, 'node-1', ['192.168.0.1'], '10.244.2.5')).toBe(false);
    expect(dialAllowed(view, 'node-1', ['192.168.0.1'], '10.96.0.1')).toBe(false);
  });
});

describe('connection errors', () => {
  it('words a refused dial as Go does', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:80'), { code: 'ECONNREFUSED' });
    expect(dialError(err)).toBe('connection refused');
    expect(connectFailure(9999, new NetnsDialError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9999'))).toBe(
      "failed to connect to localhost:9999 inside the pod's network namespace: dial tcp4 127.0.0.1:9999: connect: connection refused",
    );
    expect(connectFailure(80, new NetnsDialError('EHELPER', 'Cannot open network namespace "x"\n'))).toBe(
      'failed to connect to localhost:80 inside the pod\'s network namespace: dial tcp4 127.0.0.1:80: Cannot open network namespace "x"',
    );
  });
});
