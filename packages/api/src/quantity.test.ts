import { describe, expect, it } from 'vitest';
import { isQuantity, milliValue, parseQuantity, QuantityError, quantityValue } from './quantity.js';

describe('parseQuantity', () => {
  it('reads binary and decimal suffixes', () => {
    expect(parseQuantity('64Mi')).toBe(64 * 1024 * 1024);
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('1k')).toBe(1000);
    expect(parseQuantity('2M')).toBe(2e6);
    expect(parseQuantity('1')).toBe(1);
    expect(parseQuantity('0.5')).toBe(0.5);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity(3)).toBe(3);
  });

  it('gives millicores for cpu', () => {
    expect(milliValue('250m')).toBe(250);
    expect(milliValue('0.5')).toBe(500);
    expect(milliValue('1')).toBe(1000);
    expect(milliValue('0.1')).toBe(100);
    expect(milliValue('1500u')).toBe(2);
  });

  it('rounds whole values up like Quantity.Value', () => {
    expect(quantityValue('128Mi')).toBe(134217728);
    expect(quantityValue('500m')).toBe(1);
  });

  it('rejects malformed quantities with the apiserver message', () => {
    for (const bad of ['64MB', 'abc', '', ' 1', '1 ', '1Mi2']) {
      expect(() => parseQuantity(bad)).toThrow(QuantityError);
      expect(isQuantity(bad)).toBe(false);
    }
    expect(() => parseQuantity('x')).toThrow(
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
  });
});
