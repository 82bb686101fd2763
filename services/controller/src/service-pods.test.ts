import { describe, expect, it } from 'vitest';
import { compareIPv4, ipv4Number, sortByIPv4 } from './service-pods.js';

interface Item {
  ip: string;
  n: number;
}

describe('ipv4Number', () => {
  it('orders as compareIPv4 and refuses what it cannot stand for', () => {
    expect(ipv4Number('10.244.1.9')).toBeLessThan(ipv4Number('10.244.1.10'));
    expect(ipv4Number('255.255.255.255')).toBe(2 ** 32 - 1);
    for (const bad of ['', '10.0.0', '10.0.0.256', '10..0.1', 'a.b.c.d', '1.2.3.4.5']) expect(ipv4Number(bad)).toBe(-1);
  });
});

describe('sortByIPv4', () => {
  it('gives the order of a stable sort with compareIPv4, also with repeated and invalid addresses', () => {
    let s = 3;
    const rnd = (n: number) => {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      return s % n;
    };
    for (let round = 0; round < 200; round++) {
      const items: Item[] = Array.from({ length: rnd(60) }, (_, n) => ({
        ip:
          rnd(20) === 0 && round % 2 === 0
            ? (['', '10.0.0.300', 'x'][rnd(3)] as string)
            : `10.${rnd(2)}.${rnd(3)}.${rnd(12)}`,
        n,
      }));
      const want = [...items].sort((a, b) => compareIPv4(a.ip, b.ip));
      const got = sortByIPv4(
        items,
        (i) => i.ip,
        (i) => ipv4Number(i.ip),
      );
      expect(got).toEqual(want);
    }
  });
});
