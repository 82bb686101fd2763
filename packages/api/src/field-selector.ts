/**
 * Field selectors (`--field-selector`, `?fieldSelector=`): comma-separated `path=value`,
 * `path==value` or `path!=value` terms over dotted paths, as fields.ParseSelector reads them.
 */
import { badRequest } from './errors.js';

/** One term of a field selector. */
export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

/** A parsed field selector: every term must hold. */
export type FieldSelector = FieldRequirement[];

/** Splits on unescaped commas, honouring `\,`, `\=` and `\\`. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) cur += c + s[++i];
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

const unescapeField = (s: string): string => s.replace(/\\(.)/g, '$1');

/** A term's value as fields.UnescapeValue reads it: `\\`, `\,` and `\=` escapes; an unescaped `,` or `=` or another escape is a 400. */
function unescapeValue(s: string, selector: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\') {
      const next = s[i + 1];
      if (next !== '\\' && next !== ',' && next !== '=')
        throw badRequest(`invalid field selector: '${selector}': invalid escape sequence: \\${next ?? ''}`);
      out += next;
      i++;
    } else if (c === ',' || c === '=') {
      throw badRequest(`invalid field selector: '${selector}': unescaped character in value: ${c}`);
    } else out += c;
  }
  return out;
}

/** Parses a field selector; throws a 400 ApiError when a term has no operator. */
export function parseFieldSelector(s: string): FieldSelector {
  if (s.trim() === '') return [];
  return splitTerms(s).map((term) => {
    const m = /^((?:[^\\=!]|\\.)*?)(!=|==|=)(.*)$/.exec(term);
    if (!m || m[1]!.trim() === '') throw badRequest(`invalid selector: '${s}'; can't understand '${term}'`);
    return {
      field: unescapeField(m[1]!.trim()),
      operator: m[2] === '!=' ? '!=' : '=',
      value: unescapeValue(m[3]!, s),
    };
  });
}

/** Reads a dotted path (`metadata.name`, `involvedObject.uid`) as the string a field selector compares. */
export function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

/** True when `obj` satisfies every term of `sel`. */
export function matchesFieldSelector(sel: FieldSelector, obj: unknown): boolean {
  return sel.every((r) => (fieldValue(obj, r.field) === r.value) === (r.operator === '='));
}

const common = ['metadata.name', 'metadata.namespace'];
const supported: Record<string, string[]> = {
  pods: [
    ...common,
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  events: [
    ...common,
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  namespaces: [...common, 'status.phase'],
  nodes: [...common, 'spec.unschedulable'],
  replicasets: [...common, 'status.replicas'],
};

/** Rejects terms on fields the resource cannot be selected by, as the apiserver does (400 `field label not supported: x`). */
export function checkFieldSelector(resource: string, sel: FieldSelector): void {
  const allowed = supported[resource] ?? common;
  for (const r of sel) if (!allowed.includes(r.field)) throw badRequest(`field label not supported: ${r.field}`);
}
