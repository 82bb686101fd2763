import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.js';
import { checkFieldSelector, matchesFieldSelector, parseFieldSelector } from './field-selector.js';

const pod = {
  metadata: { name: 'web-pod-1', namespace: 'default' },
  spec: { nodeName: 'node-1', hostNetwork: false },
  status: { phase: 'Running' },
};
const event = { involvedObject: { kind: 'Pod', name: 'web-pod-1', uid: 'u-1' }, type: 'Normal' };

describe('field selectors', () => {
  it('parses =, == and != terms', () => {
    expect(parseFieldSelector('metadata.name=a,spec.nodeName==n,status.phase!=Failed')).toEqual([
      { field: 'metadata.name', operator: '=', value: 'a' },
      { field: 'spec.nodeName', operator: '=', value: 'n' },
      { field: 'status.phase', operator: '!=', value: 'Failed' },
    ]);
    expect(parseFieldSelector('')).toEqual([]);
    expect(parseFieldSelector('spec.nodeName=')).toEqual([{ field: 'spec.nodeName', operator: '=', value: '' }]);
  });

  it('matches dotted paths in any order', () => {
    expect(matchesFieldSelector(parseFieldSelector('status.phase=Running,metadata.name=web-pod-1'), pod)).toBe(true);
    expect(matchesFieldSelector(parseFieldSelector('metadata.name=web-pod-1,status.phase=Running'), pod)).toBe(true);
    expect(matchesFieldSelector(parseFieldSelector('spec.nodeName!=node-1'), pod)).toBe(false);
    expect(matchesFieldSelector(parseFieldSelector('spec.hostNetwork=false'), pod)).toBe(true);
    expect(matchesFieldSelector(parseFieldSelector('spec.missing='), pod)).toBe(true);
    expect(matchesFieldSelector(parseFieldSelector('involvedObject.uid=u-1,involvedObject.kind=Pod'), event)).toBe(
      true,
    );
  });

  it('rejects terms without an operator and unsupported fields with 400', () => {
    expect(() => parseFieldSelector('metadata.name')).toThrow(
      "invalid selector: 'metadata.name'; can't understand 'metadata.name'",
    );
    expect(() => checkFieldSelector('pods', parseFieldSelector('spec.nodeName=x,status.phase=Running'))).not.toThrow();
    try {
      checkFieldSelector('services', parseFieldSelector('spec.foo=x'));
      throw new Error('expected failure');
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe(400);
      expect((err as ApiError).message).toBe('field label not supported: spec.foo');
    }
  });

  it('reads escaped values and refuses an unescaped = or , and unknown escapes, as fields.UnescapeValue', () => {
    expect(parseFieldSelector('metadata.name=a\\=b\\,c\\\\')).toEqual([
      { field: 'metadata.name', operator: '=', value: 'a=b,c\\' },
    ]);
    expect(() => parseFieldSelector('status.phase===Running')).toThrow('unescaped character in value: =');
    expect(() => parseFieldSelector('metadata.name=a\\x')).toThrow('invalid escape sequence');
  });
});
