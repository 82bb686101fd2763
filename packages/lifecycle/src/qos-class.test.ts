import type { Container } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { parseQuantity, qosClass } from './qos-class.js';

const c = (resources?: Container['resources']): Container => ({
  name: 'c',
  image: 'x',
  ...(resources ? { resources } : {}),
});

describe('qosClass', () => {
  it.each([
    ['no resources', [c()], 'BestEffort'],
    ['requests only', [c({ requests: { memory: '64Mi', cpu: '250m' } })], 'Burstable'],
    [
      'requests below limits',
      [c({ requests: { memory: '64Mi', cpu: '250m' }, limits: { memory: '128Mi', cpu: '500m' } })],
      'Burstable',
    ],
    ['limits only (requests default to limits)', [c({ limits: { memory: '128Mi', cpu: '500m' } })], 'Guaranteed'],
    [
      'equal requests and limits in other units',
      [c({ requests: { memory: '128Mi', cpu: '0.5' }, limits: { memory: '134217728', cpu: '500m' } })],
      'Guaranteed',
    ],
    ['memory limit only', [c({ limits: { memory: '128Mi' } })], 'Burstable'],
    ['one guaranteed, one best-effort container', [c({ limits: { memory: '1Gi', cpu: '1' } }), c()], 'Burstable'],
  ] as const)('%s → %s', (_what, containers, expected) => {
    expect(qosClass(containers as unknown as Container[])).toBe(expected);
  });

  it('parses quantities', () => {
    expect(parseQuantity('250m')).toBeCloseTo(0.25);
    expect(parseQuantity('64Mi')).toBe(64 * 2 ** 20);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('abc')).toBeNaN();
  });
});
