import { describe, expect, it } from 'vitest';
import { parseProxyRoute, splitSchemeNamePort } from './proxy-route.js';

describe('parseProxyRoute', () => {
  it('parses a service with a port and the rest of the path', () => {
    expect(parseProxyRoute('/api/v1/namespaces/default/services/web:80/proxy/a/b')).toEqual({
      resource: 'services',
      namespace: 'default',
      name: 'web',
      port: '80',
      scheme: '',
      path: '/a/b',
    });
  });

  it('parses the https: prefix and a named port, percent-encoded', () => {
    expect(parseProxyRoute('/api/v1/namespaces/ns/services/https%3Aweb%3Atls/proxy/')).toMatchObject({
      scheme: 'https',
      name: 'web',
      port: 'tls',
      path: '/',
    });
  });

  it('parses pods and nodes, with and without a trailing path', () => {
    expect(parseProxyRoute('/api/v1/namespaces/default/pods/p1/proxy')).toMatchObject({
      resource: 'pods',
      name: 'p1',
      port: '',
      path: '',
    });
    expect(parseProxyRoute('/api/v1/nodes/node-1/proxy/healthz')).toMatchObject({
      resource: 'nodes',
      namespace: undefined,
      name: 'node-1',
      path: '/healthz',
    });
  });

  it('is undefined for other paths and malformed names', () => {
    expect(parseProxyRoute('/api/v1/namespaces/default/pods/p1/log')).toBeUndefined();
    expect(parseProxyRoute('/api/v1/namespaces/default/configmaps/x/proxy/')).toBeUndefined();
    expect(splitSchemeNamePort('ftp:web:80')).toBeUndefined();
    expect(splitSchemeNamePort('a:b:c:d')).toBeUndefined();
  });
});
