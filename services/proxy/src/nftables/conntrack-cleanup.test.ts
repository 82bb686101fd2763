import { describe, expect, it } from 'vitest';
import { conntrackDeleteArgs, planConntrackCleanup } from './conntrack-cleanup.js';
import { desiredPort, desiredState } from './testing/desired-fixture.js';

const dns = (endpoints: string[], clusterIP = '10.96.0.10') =>
  desiredPort('dns', clusterIP, 53, endpoints, { portName: 'dns', protocol: 'UDP' });
const web = (endpoints: string[]) => desiredPort('web', '10.96.0.11', 80, endpoints);

describe('planConntrackCleanup', () => {
  it('deletes UDP flows to a removed endpoint, matched by ClusterIP, port and DNAT target', () => {
    const filters = planConntrackCleanup(
      desiredState(dns(['10.244.1.2:53', '10.244.1.3:53'])),
      desiredState(dns(['10.244.1.3:53'])),
    );
    expect(filters).toEqual([
      { protocol: 'udp', origDst: '10.96.0.10', origPortDst: 53, replySrc: '10.244.1.2', replyPortSrc: 53 },
    ]);
    expect(conntrackDeleteArgs(filters[0] as (typeof filters)[0])).toEqual(
      '-D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53 --reply-src 10.244.1.2 --reply-port-src 53'.split(' '),
    );
  });

  it('deletes every UDP flow of a removed service port and of one that got its first endpoint', () => {
    expect(planConntrackCleanup(desiredState(dns(['10.244.1.2:53'])), desiredState())).toEqual([
      { protocol: 'udp', origDst: '10.96.0.10', origPortDst: 53 },
    ]);
    expect(planConntrackCleanup(desiredState(dns([])), desiredState(dns(['10.244.1.2:53'])))).toEqual([
      { protocol: 'udp', origDst: '10.96.0.10', origPortDst: 53 },
    ]);
  });

  it('leaves TCP alone and plans nothing for an unchanged state', () => {
    expect(planConntrackCleanup(desiredState(web(['10.244.1.2:80'])), desiredState(web([])))).toEqual([]);
    const s = desiredState(dns(['10.244.1.2:53']));
    expect(planConntrackCleanup(s, s)).toEqual([]);
  });
});
