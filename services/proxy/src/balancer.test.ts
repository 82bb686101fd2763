import { describe, expect, it } from 'vitest';
import { DEFAULT_AFFINITY_TIMEOUT_SECONDS, createRoundRobinBalancer } from './balancer.js';
import { MissingEndpointsError, UnknownServicePortError } from './errors.js';

const spn = 'default/web:http';
const eps = ['10.244.1.2:8080', '10.244.1.3:8080', '10.244.2.2:8080'];

/** A deterministic RNG: a linear congruential generator. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) % 2 ** 32;
    return s / 2 ** 32;
  };
}

function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('createRoundRobinBalancer', () => {
  it('walks the endpoints round robin and distributes evenly', () => {
    const b = createRoundRobinBalancer({ random: seeded(1) });
    b.setService(spn, { type: 'None' });
    b.onEndpointsUpdate(spn, eps);
    const counts = new Map<string, number>();
    const first = [0, 1, 2].map(() => b.nextEndpoint(spn, '10.0.0.1', false));
    expect(new Set(first).size).toBe(3);
    for (let i = 0; i < 300; i++) {
      const e = b.nextEndpoint(spn, `10.0.0.${i % 7}`, false);
      counts.set(e, (counts.get(e) ?? 0) + 1);
      expect(e).toBe(first[i % 3]);
    }
    expect([...counts.values()]).toEqual([100, 100, 100]);
  });

  it('shuffles a changed endpoint set and restarts at index 0', () => {
    const b = createRoundRobinBalancer({ random: () => 0 });
    b.setService(spn, { type: 'None' });
    b.onEndpointsUpdate(spn, ['a:1', 'b:1', 'c:1']);
    // Fisher-Yates with random() = 0 rotates the list left by one.
    expect(b.endpoints(spn)).toEqual(['b:1', 'c:1', 'a:1']);
    expect(b.nextEndpoint(spn, 'x', false)).toBe('b:1');
    expect(b.nextEndpoint(spn, 'x', false)).toBe('c:1');
    b.onEndpointsUpdate(spn, ['a:1', 'b:1', 'c:1', 'd:1']);
    expect(b.endpoints(spn)).toEqual(['b:1', 'c:1', 'd:1', 'a:1']);
    expect(b.nextEndpoint(spn, 'x', false)).toBe('b:1');
  });

  it('keeps order and index when the same set arrives again', () => {
    const b = createRoundRobinBalancer({ random: seeded(7) });
    b.setService(spn, { type: 'None' });
    b.onEndpointsUpdate(spn, eps);
    const order = b.endpoints(spn).slice();
    expect(b.nextEndpoint(spn, 'x', false)).toBe(order[0]);
    b.onEndpointsUpdate(spn, eps.slice().reverse());
    expect(b.endpoints(spn)).toEqual(order);
    expect(b.nextEndpoint(spn, 'x', false)).toBe(order[1]);
  });

  it('throws MissingEndpointsError with no endpoints and UnknownServicePortError for an unknown port', () => {
    const b = createRoundRobinBalancer();
    b.setService(spn, { type: 'None' });
    expect(() => b.nextEndpoint(spn, 'x', false)).toThrow(MissingEndpointsError);
    b.onEndpointsUpdate(spn, eps);
    b.onEndpointsUpdate(spn, []);
    expect(() => b.nextEndpoint(spn, 'x', false)).toThrow(MissingEndpointsError);
    expect(() => b.nextEndpoint('default/other', 'x', false)).toThrow(UnknownServicePortError);
  });

  it('sticks a client to its endpoint within the timeout and refreshes lastUsed', () => {
    const clock = fakeClock();
    const b = createRoundRobinBalancer({ now: clock.now, random: seeded(3) });
    b.setService(spn, { type: 'ClientIP', timeoutSeconds: 60 });
    b.onEndpointsUpdate(spn, eps);
    const a = b.nextEndpoint(spn, '10.0.0.1', false);
    const other = b.nextEndpoint(spn, '10.0.0.2', false);
    expect(other).not.toBe(a);
    for (let i = 0; i < 10; i++) {
      clock.advance(59_000);
      expect(b.nextEndpoint(spn, '10.0.0.1', false)).toBe(a);
    }
  });

  it('expires stickiness after the timeout', () => {
    const clock = fakeClock();
    const b = createRoundRobinBalancer({ now: clock.now, random: seeded(3) });
    b.setService(spn, { type: 'ClientIP', timeoutSeconds: 60 });
    b.onEndpointsUpdate(spn, eps);
    const a = b.nextEndpoint(spn, '10.0.0.1', false);
    clock.advance(60_000);
    expect(b.nextEndpoint(spn, '10.0.0.1', false)).not.toBe(a);
  });

  it('uses 10800 s when the timeout is not set', () => {
    expect(DEFAULT_AFFINITY_TIMEOUT_SECONDS).toBe(10_800);
    const clock = fakeClock();
    const b = createRoundRobinBalancer({ now: clock.now, random: seeded(5) });
    b.setService(spn, { type: 'ClientIP' });
    b.onEndpointsUpdate(spn, eps);
    const a = b.nextEndpoint(spn, '10.0.0.1', false);
    clock.advance(10_799_000);
    expect(b.nextEndpoint(spn, '10.0.0.1', false)).toBe(a);
    clock.advance(10_800_000);
    expect(b.nextEndpoint(spn, '10.0.0.1', false)).not.toBe(a);
  });

  it('ignores and replaces stickiness when sessionAffinityReset is set (a failed dial)', () => {
    const b = createRoundRobinBalancer({ random: seeded(9) });
    b.setService(spn, { type: 'ClientIP' });
    b.onEndpointsUpdate(spn, eps);
    const a = b.nextEndpoint(spn, '10.0.0.1', false);
    const retry = b.nextEndpoint(spn, '10.0.0.1', true);
    expect(retry).not.toBe(a);
    expect(b.nextEndpoint(spn, '10.0.0.1', false)).toBe(retry);
  });

  it('drops sticky entries of removed endpoints and keeps the others', () => {
    const b = createRoundRobinBalancer({ random: seeded(11) });
    b.setService(spn, { type: 'ClientIP' });
    b.onEndpointsUpdate(spn, eps);
    const one = b.nextEndpoint(spn, '10.0.0.1', false);
    const two = b.nextEndpoint(spn, '10.0.0.2', false);
    b.onEndpointsUpdate(
      spn,
      eps.filter((e) => e !== one),
    );
    expect(b.nextEndpoint(spn, '10.0.0.2', false)).toBe(two);
    expect(b.nextEndpoint(spn, '10.0.0.1', false)).not.toBe(one);
  });

  it('cleans up entries older than the timeout', () => {
    const clock = fakeClock();
    const b = createRoundRobinBalancer({ now: clock.now, random: () => 0 });
    b.setService(spn, { type: 'ClientIP', timeoutSeconds: 10 });
    b.onEndpointsUpdate(spn, ['a:1', 'b:1']);
    b.nextEndpoint(spn, 'c1', false);
    clock.advance(5_000);
    b.nextEndpoint(spn, 'c2', false);
    clock.advance(5_000);
    b.cleanupStaleStickySessions();
    expect(b.stickySessions(spn)).toBe(1);
    clock.advance(5_000);
    b.cleanupStaleStickySessions();
    expect(b.stickySessions(spn)).toBe(0);
  });

  it('forgets stickiness when the affinity policy changes', () => {
    const b = createRoundRobinBalancer({ random: () => 0 });
    b.setService(spn, { type: 'ClientIP' });
    b.onEndpointsUpdate(spn, ['a:1', 'b:1']);
    expect(b.nextEndpoint(spn, 'c1', false)).toBe('b:1');
    b.setService(spn, { type: 'ClientIP', timeoutSeconds: 30 });
    expect(b.nextEndpoint(spn, 'c1', false)).toBe('a:1');
  });

  it('reads a lazily given client IP only for ClientIP affinity', () => {
    const b = createRoundRobinBalancer({ random: () => 0 });
    let reads = 0;
    const clientIP = () => {
      reads++;
      return '10.0.0.7';
    };
    b.setService(spn, { type: 'None' });
    b.onEndpointsUpdate(spn, ['a:1', 'b:1']);
    for (let i = 0; i < 4; i++) b.nextEndpoint(spn, clientIP, false);
    expect(reads).toBe(0);
    b.setService(spn, { type: 'ClientIP' });
    const first = b.nextEndpoint(spn, clientIP, false);
    expect(b.nextEndpoint(spn, clientIP, false)).toBe(first);
    expect(b.nextEndpoint(spn, '10.0.0.7', false)).toBe(first);
    expect(reads).toBe(2);
  });
});
