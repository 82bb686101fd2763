import type { KubeObject } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { listFixture, object as obj } from '../testing/list-fixture.js';
import { decodeContinue, encodeContinue, keyAfter } from './continue-token.js';
import { listPage } from './list-page.js';

const fixture = listFixture('pods', [
  obj('a', 'x'),
  obj('a', 'y', 'b'),
  obj('b', 'x'),
  obj('b', 'y', 'b'),
  obj('c', 'z'),
]);
const all = fixture.lists.current('pods');
const every = { namespace: undefined, matches: () => true, filtered: false };

describe('listPage', () => {
  it('cuts pages of limit items with a token to the next and the count of the rest', () => {
    const first = listPage(all, { ...every, limit: 2, start: undefined });
    expect(first.items.map((o) => o.metadata.name)).toEqual(['x', 'y']);
    expect(first.remainingItemCount).toBe(3);
    expect(first.resourceVersion).toBe('1');
    const token = decodeContinue(first.continue as string);
    expect(token).toEqual({ rv: 1, start: 'a/y\u0000' });
    const last = listPage(all, { ...every, limit: 3, start: token.start });
    expect(last.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['b/x', 'b/y', 'c/z']);
    expect(last.continue).toBeUndefined();
    expect(last.remainingItemCount).toBeUndefined();
  });

  it('fills a filtered page with matches, gives no remainingItemCount, and no token when no match remains', () => {
    const matches = (o: KubeObject) => o.metadata.labels?.app === 'b';
    const first = listPage(all, { ...every, matches, filtered: true, limit: 1, start: undefined });
    expect(first.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['a/y']);
    expect(first.remainingItemCount).toBeUndefined();
    const next = listPage(all, {
      ...every,
      matches,
      filtered: true,
      limit: 1,
      start: decodeContinue(first.continue as string).start,
    });
    expect(next.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['b/y']);
    expect(next.continue).toBeUndefined();
  });

  it('cuts one namespace, counting only its items', () => {
    const first = listPage(all, { ...every, namespace: 'b', limit: 1, start: undefined });
    expect(first.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['b/x']);
    expect(first.remainingItemCount).toBe(1);
    const next = listPage(all, {
      ...every,
      namespace: 'b',
      limit: 5,
      start: decodeContinue(first.continue as string).start,
    });
    expect(next.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['b/y']);
    expect(next.continue).toBeUndefined();
  });

  it('returns everything without a limit', () => {
    expect(listPage(all, { ...every, limit: undefined, start: undefined }).items).toHaveLength(5);
  });
});

describe('continue tokens', () => {
  it('are the apiserver’s unpadded base64url JSON and decode back', () => {
    const t = encodeContinue(7, keyAfter('default/web'));
    expect(JSON.parse(Buffer.from(t, 'base64url').toString())).toEqual({
      v: 'meta.k8s.io/v1',
      rv: 7,
      start: 'default/web\u0000',
    });
    expect(t).not.toMatch(/[=+/]/);
    expect(decodeContinue(t)).toEqual({ rv: 7, start: 'default/web\u0000' });
  });

  it('refuses malformed tokens with 400 BadRequest', () => {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const bad of [
      '%%%',
      enc([1]),
      enc({ v: 'v2', rv: 1, start: 'a' }),
      enc({ v: 'meta.k8s.io/v1', rv: 0, start: 'a' }),
      enc({ v: 'meta.k8s.io/v1', rv: 3, start: '' }),
      Buffer.from('{').toString('base64url'),
    ]) {
      expect(() => decodeContinue(bad), bad).toThrow(/^continue key is not valid: /);
      try {
        decodeContinue(bad);
      } catch (err) {
        expect((err as { code: number }).code).toBe(400);
      }
    }
  });
});
