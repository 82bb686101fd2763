import type { EndpointAddress } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { ENDPOINTS_MAX_CAPACITY, truncateSubsets } from './truncate-endpoints.js';

const addrs = (n: number, from = 0): EndpointAddress[] =>
  Array.from({ length: n }, (_, i) => ({ ip: `10.244.${(from + i) >> 8}.${(from + i) & 255}` }));
const ports = [{ port: 8080, protocol: 'TCP' as const }];

describe('truncateSubsets', () => {
  it('leaves subsets of at most 1000 addresses alone', () => {
    const subsets = [{ addresses: addrs(600), notReadyAddresses: addrs(400, 600), ports }];
    expect(truncateSubsets(subsets)).toEqual({ subsets, truncated: false });
  });

  it('keeps every ready address and cuts the not-ready ones to fill 1000', () => {
    const { subsets, truncated } = truncateSubsets([
      { addresses: addrs(900), notReadyAddresses: addrs(500, 900), ports },
    ]);
    expect(truncated).toBe(true);
    expect(subsets[0]?.addresses).toHaveLength(900);
    expect(subsets[0]?.notReadyAddresses).toHaveLength(100);
    expect(subsets[0]?.ports).toEqual(ports);
  });

  it('past 1000 ready addresses drops every not-ready one and shares the ready ones by subset size', () => {
    const { subsets } = truncateSubsets([
      { addresses: addrs(3000), notReadyAddresses: addrs(10, 5000), ports },
      { addresses: addrs(1000, 3000), ports: [{ port: 9090, protocol: 'TCP' }] },
    ]);
    expect(subsets.map((s) => [s.addresses?.length, s.notReadyAddresses])).toEqual([
      [750, undefined],
      [250, undefined],
    ]);
    expect(subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0)).toBe(ENDPOINTS_MAX_CAPACITY);
  });
});
