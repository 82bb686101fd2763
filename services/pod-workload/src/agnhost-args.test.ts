import { describe, expect, it } from 'vitest';
import { agnhostCommand, agnhostStopGraceMs, agnhostTcpPorts } from './agnhost-args.js';

describe('agnhostCommand', () => {
  it('serves serve_hostname over HTTP on 9376', () => {
    const c = agnhostCommand('serve_hostname', []);
    expect(c).toEqual({ kind: 'serve-hostname', port: 9376, tcp: false, udp: false, http: true });
    expect(agnhostTcpPorts(c!)).toEqual([9376]);
  });

  it('parses netexec and serve-hostname flags as agnhost takes them', () => {
    expect(agnhostCommand('agnhost', ['netexec', '--http-port=8080', '--udp-port', '8081'])).toEqual({
      kind: 'netexec',
      httpPort: 8080,
      udpPort: 8081,
      delayShutdownSeconds: 0,
    });
    const delayed = agnhostCommand('agnhost', ['netexec', '--http-port=80', '--delay-shutdown', '100']);
    expect(delayed).toEqual({ kind: 'netexec', httpPort: 80, udpPort: 8081, delayShutdownSeconds: 100 });
    expect(agnhostStopGraceMs(delayed!)).toBe(105_000);
    expect(agnhostCommand('agnhost', ['serve-hostname', '--udp', '--port=53'])).toEqual({
      kind: 'serve-hostname',
      port: 53,
      tcp: false,
      udp: true,
      http: false,
    });
    expect(agnhostCommand('agnhost', ['pause'])).toEqual({ kind: 'pause' });
    expect(agnhostCommand('nginx', ['netexec'])).toBeUndefined();
  });
});
