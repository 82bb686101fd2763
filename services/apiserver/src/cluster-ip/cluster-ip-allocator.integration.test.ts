import { type EventLog, type Informer, connectEventLog, createObjectWriter, startInformer } from '@kemu/eventlog';
import { createLogger } from '@kemu/log';
import { type NatsServer, eventually, startNatsServer } from '@kemu/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ClusterIpAllocator, type IpAllocationError, createClusterIpAllocator } from './cluster-ip-allocator.js';
import { parseCidr } from '@kemu/api';

const log = createLogger({ component: 'allocator-test', level: 'silent' });

describe('cluster IP allocator', () => {
  let nats: NatsServer;
  const logs: EventLog[] = [];
  const informers: Informer[] = [];

  async function allocator(cidr: string): Promise<ClusterIpAllocator> {
    const eventLog = await connectEventLog({ servers: nats.url, name: 'alloc', log });
    const informer = await startInformer(eventLog, { log });
    await informer.synced;
    logs.push(eventLog);
    informers.push(informer);
    const writer = createObjectWriter(eventLog, informer, { component: 'apiserver' });
    return createClusterIpAllocator({ cidr: parseCidr(cidr), informer, writer, log });
  }

  beforeEach(async () => {
    nats = await startNatsServer();
  });
  afterEach(async () => {
    for (const i of informers.splice(0)) await i.stop();
    for (const l of logs.splice(0)) await l.close();
    await nats.stop();
  });

  it('never gives one address to two services, even from two allocators at once', async () => {
    // A /28 has 14 usable addresses; .1 and .10 are reserved, so 12 can be handed out.
    const a = await allocator('10.0.0.0/28');
    const b = await allocator('10.0.0.0/28');
    const results = await Promise.allSettled(
      Array.from({ length: 14 }, (_, i) => (i % 2 ? a : b).allocate({ namespace: 'default', name: `svc-${i}` })),
    );
    const ips = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(ips).toHaveLength(12);
    expect(new Set(ips).size).toBe(12);
    expect(ips).not.toContain('10.0.0.1');
    expect(ips).not.toContain('10.0.0.10');
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as IpAllocationError] : []));
    expect(failures.map((f) => f.code)).toEqual(['RangeFull', 'RangeFull']);
  });

  it('honours requested addresses once, keeps reserved ones for their services and releases', async () => {
    const a = await allocator('10.96.0.0/12');
    const b = await allocator('10.96.0.0/12');
    const owner = { namespace: 'default', name: 'web' };
    const [first, second] = await Promise.allSettled([
      a.allocate(owner, '10.96.3.3'),
      b.allocate({ namespace: 'default', name: 'other' }, '10.96.3.3'),
    ]);
    expect([first.status, second.status].sort()).toEqual(['fulfilled', 'rejected']);
    await expect(a.allocate(owner, '10.200.0.1')).rejects.toMatchObject({ code: 'NotInRange' });
    await expect(a.allocate(owner, '10.96.0.1')).rejects.toMatchObject({ code: 'AlreadyAllocated' });
    expect(await a.allocate({ namespace: 'default', name: 'kubernetes' }, '10.96.0.1')).toBe('10.96.0.1');
    expect(await a.allocate({ namespace: 'kube-system', name: 'kube-dns' }, '10.96.0.10')).toBe('10.96.0.10');
    const winner =
      first.status === 'fulfilled' ? { a, owner } : { a: b, owner: { namespace: 'default', name: 'other' } };
    await winner.a.release('10.96.3.3', winner.owner);
    await eventually(() => !informers[1]?.view.objects.has('ipaddresses//10.96.3.3'), { what: 'release seen by b' });
    expect(await b.allocate({ namespace: 'default', name: 'third' }, '10.96.3.3')).toBe('10.96.3.3');
  });
});
