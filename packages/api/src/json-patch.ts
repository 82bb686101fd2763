/**
 * RFC 6902 JSON Patch, with the errors the apiserver gives: 400 for a malformed patch
 * document, 422 (via evanphx/json-patch wording) for one that does not apply.
 */
import { deepEqual } from './deep-equal.js';
import { badRequest, patchNotApplicable } from './errors.js';

/** One JSON Patch operation. */
export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

type Container = Record<string, unknown> | unknown[];

function parsePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw patchNotApplicable(`JSON pointer must be empty or start with a "/": ${p}`);
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Finds the container of the last token; throws the library's "missing path" error when a parent is absent. */
function parent(doc: unknown, tokens: string[], op: string, path: string): [Container, string] {
  let cur: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    const next = Array.isArray(cur)
      ? cur[Number(t)]
      : cur && typeof cur === 'object'
        ? (cur as Record<string, unknown>)[t]
        : undefined;
    if (next === undefined || next === null || typeof next !== 'object')
      throw patchNotApplicable(
        `${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`,
      );
    cur = next;
  }
  return [cur as Container, tokens[tokens.length - 1]!];
}

function index(arr: unknown[], key: string, forAdd: boolean): number {
  const i = key === '-' && forAdd ? arr.length : /^(0|[1-9][0-9]*)$/.test(key) ? Number(key) : NaN;
  if (Number.isNaN(i) || i > arr.length || (!forAdd && i >= arr.length))
    throw patchNotApplicable(`Unable to access invalid index: ${key}: invalid index referenced`);
  return i;
}

function get(doc: unknown, path: string, op: string): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return doc;
  const [c, k] = parent(doc, tokens, op, path);
  const v = Array.isArray(c) ? c[index(c, k, false)] : c[k];
  if (v === undefined)
    throw patchNotApplicable(
      `${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`,
    );
  return v;
}

function add(doc: unknown, path: string, value: unknown, op = 'add'): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const [c, k] = parent(doc, tokens, op, path);
  if (Array.isArray(c)) c.splice(index(c, k, true), 0, value);
  else c[k] = value;
  return doc;
}

function remove(doc: unknown, path: string, op = 'remove'): unknown {
  const tokens = parsePointer(path);
  const [c, k] = parent(doc, tokens, op, path);
  if (Array.isArray(c)) c.splice(index(c, k, false), 1);
  else {
    if (!Object.hasOwn(c, k)) throw patchNotApplicable(`Unable to remove nonexistent key: ${k}: missing value`);
    delete c[k];
  }
  return doc;
}

function validateOps(ops: unknown): JsonPatchOp[] {
  if (!Array.isArray(ops)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  for (const o of ops as Record<string, unknown>[]) {
    if (!o || typeof o !== 'object' || typeof o.op !== 'string')
      throw badRequest('json: cannot unmarshal into jsonpatch operation');
    if (!['add', 'remove', 'replace', 'move', 'copy', 'test'].includes(o.op))
      throw patchNotApplicable(`Unexpected kind: ${o.op}`);
    if (typeof o.path !== 'string') throw patchNotApplicable(`${o.op} operation missing path`);
    if ((o.op === 'move' || o.op === 'copy') && typeof o.from !== 'string')
      throw patchNotApplicable(`${o.op} operation missing from`);
    if (['add', 'replace', 'test'].includes(o.op) && !Object.hasOwn(o, 'value'))
      throw patchNotApplicable(`${o.op} operation missing value`);
  }
  return ops as JsonPatchOp[];
}

/** Applies RFC 6902 operations to a copy of `original`. */
export function jsonPatch<T>(original: T, ops: unknown): T {
  let doc: unknown = structuredClone(original);
  for (const o of validateOps(ops)) {
    switch (o.op) {
      case 'add':
        doc = add(doc, o.path, structuredClone(o.value));
        break;
      case 'remove':
        doc = remove(doc, o.path);
        break;
      case 'replace':
        get(doc, o.path, 'replace');
        doc =
          parsePointer(o.path).length === 0
            ? structuredClone(o.value)
            : add(remove(doc, o.path, 'replace'), o.path, structuredClone(o.value), 'replace');
        break;
      case 'move': {
        const v = get(doc, o.from!, 'move');
        doc = add(remove(doc, o.from!, 'move'), o.path, v, 'move');
        break;
      }
      case 'copy':
        doc = add(doc, o.path, structuredClone(get(doc, o.from!, 'copy')), 'copy');
        break;
      case 'test':
        if (!deepEqual(get(doc, o.path, 'test'), o.value))
          throw patchNotApplicable(`testing value ${o.path} failed: test failed`);
        break;
    }
  }
  return doc as T;
}
