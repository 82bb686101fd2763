import { describe, expect, it } from 'vitest';
import { forwardedHeaders } from './proxy-handler.js';

describe('forwardedHeaders', () => {
  it('drops hop-by-hop headers, and the credentials and host towards the backend', () => {
    const h = { authorization: 'Bearer x', host: 'a', connection: 'keep-alive', accept: '*/*', 'x-a': ['1', '2'] };
    expect(forwardedHeaders(h, true)).toEqual({ accept: '*/*', 'x-a': ['1', '2'] });
    expect(forwardedHeaders({ 'content-type': 'text/plain', 'transfer-encoding': 'chunked' }, false)).toEqual({
      'content-type': 'text/plain',
    });
  });
});
