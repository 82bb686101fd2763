import { describe, expect, it } from 'vitest';
import { findDuplicateJsonKeys } from './json-duplicates.js';

describe('findDuplicateJsonKeys', () => {
  it('names every repeated key by its path', () => {
    const text =
      '{"spec":{"selector":{"app":"web","app":"x"},"ports":[{"port":80,"name":"a","name":"b"}]},"kind":"Service","kind":"Service"}';
    expect(findDuplicateJsonKeys(text)).toEqual(['spec.selector.app', 'spec.ports[0].name', 'kind']);
  });

  it('finds nothing in a clean document, with escapes and nesting', () => {
    expect(findDuplicateJsonKeys('{"a":"x\\"y","b":[1,{"c":{}},[]],"d":{"e":null,"f":true}}')).toEqual([]);
  });

  it('answers [] for text that is not JSON', () => {
    expect(findDuplicateJsonKeys('{"a": ')).toEqual([]);
  });
});
