import { describe, expect, it } from 'vitest';
import { bearerToken, createAuthenticator, isPublicPath, parseTokenFile } from './authn.js';

describe('authn', () => {
  it('opens only the public-info paths to anonymous clients', () => {
    for (const p of ['/healthz', '/readyz', '/livez', '/readyz/informer-sync', '/version', '/version/'])
      expect(isPublicPath(p), p).toBe(true);
    for (const p of ['/api', '/apis', '/api/v1/pods', '/openapi/v3', '/version/x', '/'])
      expect(isPublicPath(p), p).toBe(false);
  });

  it('accepts a known bearer token and refuses a missing, wrong or non-bearer one', () => {
    const a = createAuthenticator(['s3cret']);
    expect(a.allows('/api/v1/pods', { authorization: 'Bearer s3cret' })).toBe(true);
    expect(a.allows('/api/v1/pods', {})).toBe(false);
    expect(a.allows('/api/v1/pods', { authorization: 'Bearer s3cre' })).toBe(false);
    expect(a.allows('/api/v1/pods', { authorization: 'Basic s3cret' })).toBe(false);
    expect(a.allows('/readyz', {})).toBe(true);
    expect(bearerToken({ authorization: 'bearer  abc ' })).toBe('abc');
  });

  it('allows everything when no token is configured', () => {
    expect(createAuthenticator([]).allows('/api/v1/pods', {})).toBe(true);
  });

  it('reads the tokens of a static token file', () => {
    expect(parseTokenFile('# admin\nabc,kemu-admin,kemu-admin,"system:masters"\n\nplain\n')).toEqual(['abc', 'plain']);
  });
});
