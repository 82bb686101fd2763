/**
 * Manifest and request-body decoding: multi-document YAML or JSON to plain objects,
 * with Kubernetes' YAML 1.1 scalars (yes/no/on/off are booleans, as in go-yaml) and
 * errors worded like kubectl's and the apiserver's (400 BadRequest).
 */
import { type Document, isScalar, LineCounter, parseAllDocuments, type Tags, visit } from 'yaml';
import { MAX_YAML_ALIASES, checkJsonDepth, checkYamlDepth } from './body-depth.js';
import { badRequest } from './errors.js';
import type { KubeObject } from './types.js';

const dropTags = new Set([
  'tag:yaml.org,2002:timestamp',
  'tag:yaml.org,2002:binary',
  'tag:yaml.org,2002:omap',
  'tag:yaml.org,2002:pairs',
  'tag:yaml.org,2002:set',
]);
/** go-yaml v2 resolves like YAML 1.1 but keeps timestamps, sexagesimals and !!binary as strings. */
const customTags = (tags: Tags): Tags =>
  tags.filter((t) => typeof t === 'string' || (!dropTags.has(t.tag) && (t as { format?: string }).format !== 'TIME'));

const goYamlWording: Record<string, string> = {
  BLOCK_AS_IMPLICIT_KEY: 'mapping values are not allowed in this context',
  TAB_AS_INDENT: 'found character that cannot start any token',
  BAD_INDENT: 'did not find expected key',
  MISSING_CHAR: 'found unexpected end of stream',
};

/** 1-based line numbers of the `---` separators, so error lines can be given per document as kubectl does. */
function separatorLines(text: string): number[] {
  return text.split('\n').flatMap((l, i) => (/^---(\s|$)/.test(l) ? [i + 1] : []));
}

function relativeLine(line: number, seps: number[]): number {
  const base = seps.filter((s) => s < line).pop() ?? 0;
  return line - base;
}

function duplicateKeys(doc: Document, lc: LineCounter, seps: number[]): string[] {
  const out: string[] = [];
  visit(doc, {
    Map(_k, map) {
      const seen = new Map<string, number>();
      for (const pair of map.items) {
        const key = pair.key;
        if (!isScalar(key) || !key.range) continue;
        const name = String(key.value);
        const line = relativeLine(lc.linePos(key.range[0]).line, seps);
        const first = seen.get(name);
        if (first !== undefined)
          out.push(`  line ${line}: mapping key ${JSON.stringify(name)} already defined at line ${first}`);
        else seen.set(name, line);
      }
    },
  });
  return out;
}

function goTypeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return 'number';
  return typeof v;
}

/** The document's value; the parser's resource-exhaustion guards (alias count, stack) are a 400 like any bad YAML. */
function documentValue(doc: Document): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    if (err instanceof ReferenceError || err instanceof RangeError)
      throw badRequest(`error converting YAML to JSON: yaml: ${err.message}`);
    throw err;
  }
}

/** Parses every document; the nesting depth is bounded first, since the parser recurses per level. */
function parseDocuments(text: string): unknown[] {
  checkYamlDepth(text);
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { version: '1.1', customTags, uniqueKeys: false, lineCounter: lc, merge: true });
  if (!Array.isArray(docs)) return [];
  const seps = separatorLines(text);
  const values: unknown[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) {
      const line = relativeLine(err.linePos?.[0].line ?? 1, seps);
      const msg = goYamlWording[err.code] ?? err.message.split(' at line ')[0]!.toLowerCase();
      throw badRequest(`error converting YAML to JSON: yaml: line ${line}: ${msg}`);
    }
    const dups = duplicateKeys(doc, lc, seps);
    if (dups.length) throw badRequest(`error converting YAML to JSON: yaml: unmarshal errors:\n${dups.join('\n')}`);
    if (doc.contents === null) continue;
    values.push(documentValue(doc));
  }
  return values;
}

/** Splits a manifest file into objects: empty documents are skipped, `kind: List` is flattened; 400 on bad YAML, duplicate keys, non-mappings or a missing kind/apiVersion. */
export function parseManifests(text: string): KubeObject[] {
  const out: KubeObject[] = [];
  const add = (v: unknown): void => {
    if (v === null || v === undefined) return;
    if (typeof v !== 'object' || Array.isArray(v))
      throw badRequest(`json: cannot unmarshal ${goTypeName(v)} into Go value of type map[string]interface {}`);
    const o = v as Record<string, unknown>;
    if (typeof o.kind !== 'string' || o.kind === '')
      throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(o)}'`);
    if (typeof o.apiVersion !== 'string' || o.apiVersion === '')
      throw badRequest(`Object 'apiVersion' is missing in '${JSON.stringify(o)}'`);
    if (o.kind.endsWith('List') && Array.isArray(o.items)) {
      for (const item of o.items) add(item);
      return;
    }
    out.push(o as KubeObject);
  };
  for (const v of parseDocuments(text)) add(v);
  return out;
}

/** Decodes a request body: YAML for application/yaml and apply-patch+yaml, JSON otherwise; 400 when it cannot be read. */
export function decodeBody(body: string, contentType?: string): unknown {
  const type = (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  if (type.endsWith('yaml')) {
    const docs = parseDocuments(body);
    if (docs.length === 0) throw badRequest("Object 'Kind' is missing in ''");
    return docs[0];
  }
  if (body.trim() === '') throw badRequest("Object 'Kind' is missing in ''");
  checkJsonDepth(body);
  try {
    return JSON.parse(body) as unknown;
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}
