import type { ConnectionFlow, DnsFlow } from '@kemu/flows';
import { describe, expect, it } from 'vitest';
import { flowMatchesService } from './flows.js';

const conn = { kind: 'conn', service: 'default/web:http' } as ConnectionFlow;
const dns = { kind: 'dns', name: 'web.default.svc.cluster.local.' } as DnsFlow;

describe('flowMatchesService', () => {
  it('matches connections by name, namespace/name and port name', () => {
    expect(flowMatchesService(conn, 'web')).toBe(true);
    expect(flowMatchesService(conn, 'default/web')).toBe(true);
    expect(flowMatchesService(conn, 'default/web:http')).toBe(true);
    expect(flowMatchesService(conn, 'other/web')).toBe(false);
    expect(flowMatchesService(conn, 'we')).toBe(false);
  });

  it('matches DNS queries by the Service name they ask for', () => {
    expect(flowMatchesService(dns, 'web')).toBe(true);
    expect(flowMatchesService(dns, 'default/web')).toBe(true);
    expect(flowMatchesService(dns, 'kube-system/web')).toBe(false);
  });
});
