import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.js';
import {
  formatLabelSelector,
  matchesLabelSelector,
  matchLabelSelectorObject,
  parseLabelSelector,
} from './label-selector.js';

const labels = { app: 'web', tier: 'frontend', version: '3' };
const match = (s: string, l: Record<string, string> = labels): boolean =>
  matchesLabelSelector(parseLabelSelector(s), l);

describe('parseLabelSelector', () => {
  it('parses every kubectl -l form', () => {
    expect(parseLabelSelector('app=web,tier==frontend,env!=prod,zone in (a, b),x notin (c),y,!z')).toEqual([
      { key: 'app', operator: 'Equals', values: ['web'] },
      { key: 'tier', operator: 'Equals', values: ['frontend'] },
      { key: 'env', operator: 'NotEquals', values: ['prod'] },
      { key: 'zone', operator: 'In', values: ['a', 'b'] },
      { key: 'x', operator: 'NotIn', values: ['c'] },
      { key: 'y', operator: 'Exists', values: [] },
      { key: 'z', operator: 'DoesNotExist', values: [] },
    ]);
    expect(parseLabelSelector('')).toEqual([]);
    expect(parseLabelSelector('app.kubernetes.io/name=web')[0]!.key).toBe('app.kubernetes.io/name');
  });

  it('matches labels', () => {
    expect(match('app=web,tier=frontend')).toBe(true);
    expect(match('app=api')).toBe(false);
    expect(match('env!=prod')).toBe(true);
    expect(match('app!=web')).toBe(false);
    expect(match('tier in (frontend,backend)')).toBe(true);
    expect(match('tier notin (frontend)')).toBe(false);
    expect(match('missing notin (x)')).toBe(true);
    expect(match('app')).toBe(true);
    expect(match('!app')).toBe(false);
    expect(match('!missing')).toBe(true);
    expect(match('version>2,version<4')).toBe(true);
    expect(match('')).toBe(true);
  });

  it('rejects malformed selectors with 400', () => {
    for (const bad of ['app=web=x', 'a in b', 'a in ()', '=x', 'a,', 'bad key=1', 'a=b c']) {
      expect(() => parseLabelSelector(bad), bad).toThrow(ApiError);
      try {
        parseLabelSelector(bad);
      } catch (err) {
        expect((err as ApiError).code).toBe(400);
      }
    }
  });

  it('prints a selector back', () => {
    expect(formatLabelSelector(parseLabelSelector('a=b,c in (d,e),!f'))).toBe('a=b,c in (d,e),!f');
  });
});

describe('matchLabelSelectorObject', () => {
  it('matches matchLabels and matchExpressions', () => {
    expect(matchLabelSelectorObject({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(
      matchLabelSelectorObject(
        { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['frontend'] }] },
        labels,
      ),
    ).toBe(false);
    expect(matchLabelSelectorObject({ matchExpressions: [{ key: 'version', operator: 'Exists' }] }, labels)).toBe(true);
    expect(matchLabelSelectorObject({}, labels)).toBe(true);
    expect(matchLabelSelectorObject(undefined, labels)).toBe(false);
  });
});
