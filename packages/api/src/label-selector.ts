/**
 * Label selectors in the string syntax of `kubectl -l` / `?labelSelector=` (labels.Parse)
 * and in the object form of metav1.LabelSelector ({matchLabels, matchExpressions}).
 */
import { badRequest } from './errors.js';
import { isQualifiedName, isValidLabelValue } from './names.js';
import type { LabelSelectorObject } from './types.js';

/** One requirement: `key op values`. */
export interface LabelRequirement {
  key: string;
  operator: 'Equals' | 'NotEquals' | 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values: string[];
}

/** A parsed selector: all requirements must hold; empty matches everything. */
export type LabelSelector = LabelRequirement[];

const special = new Set(['!', '=', ',', '(', ')', '<', '>']);

function tokenize(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    const two = s.slice(i, i + 2);
    if (/\s/.test(c)) {
      i++;
    } else if (two === '==' || two === '!=') {
      out.push(two);
      i += 2;
    } else if (special.has(c)) {
      out.push(c);
      i++;
    } else {
      let j = i;
      while (j < s.length && !special.has(s[j]!) && !/\s/.test(s[j]!)) j++;
      out.push(s.slice(i, j));
      i = j;
    }
  }
  return out;
}

const operators = new Set(['=', '==', '!=', 'in', 'notin', '<', '>']);
const isIdentifier = (t: string | undefined): t is string =>
  t !== undefined && !special.has(t) && t !== '==' && t !== '!=';

function fail(message: string): never {
  throw badRequest(`unable to parse requirement: ${message}`);
}

/** Parses a `-l` string (`a=b,c!=d,e in (x,y),f notin (z),g,!h`); throws a 400 ApiError when malformed. */
export function parseLabelSelector(s: string): LabelSelector {
  const toks = tokenize(s);
  const reqs: LabelSelector = [];
  let i = 0;
  const peek = (): string | undefined => toks[i];
  while (i < toks.length) {
    const negate = peek() === '!';
    if (negate) i++;
    const key = toks[i++];
    if (!isIdentifier(key)) fail(`found '${key ?? ''}', expected: identifier`);
    for (const m of isQualifiedName(key)) fail(`<nil>: Invalid value: ${JSON.stringify(key)}: ${m}`);
    if (negate || peek() === undefined || peek() === ',') {
      reqs.push({ key, operator: negate ? 'DoesNotExist' : 'Exists', values: [] });
    } else {
      const op = toks[i++]!;
      if (!operators.has(op)) fail(`found '${op}', expected: in, notin, =, ==, !=, gt, lt`);
      let values: string[] = [];
      if (op === 'in' || op === 'notin') {
        if (toks[i++] !== '(') fail(`found '${toks[i - 1] ?? ''}', expected: '('`);
        while (peek() !== ')') {
          const v = toks[i++];
          if (v === undefined) fail("found '', expected: ')'");
          if (v === ',') continue;
          if (!isIdentifier(v)) fail(`found '${v}', expected: ',', ')' or identifier`);
          values.push(v);
        }
        i++;
        if (values.length === 0) fail(`for 'in', 'notin' operators, values set can't be empty`);
      } else {
        values = isIdentifier(peek()) ? [toks[i++]!] : [''];
      }
      if ((op === '<' || op === '>') && !/^-?\d+$/.test(values[0]!))
        fail(`for 'Gt', 'Lt' operators, the value must be an integer`);
      for (const v of values)
        for (const m of isValidLabelValue(v)) fail(`<nil>: Invalid value: ${JSON.stringify(v)}: ${m}`);
      const operator = (
        { '=': 'Equals', '==': 'Equals', '!=': 'NotEquals', in: 'In', notin: 'NotIn', '<': 'Lt', '>': 'Gt' } as const
      )[op as '='];
      reqs.push({ key, operator, values });
    }
    if (peek() !== undefined && toks[i++] !== ',') fail(`found '${toks[i - 1]}', expected: ',' or 'end of string'`);
    if (toks[i - 1] === ',' && peek() === undefined) fail("found '', expected: identifier");
  }
  return reqs;
}

/** True when `labels` satisfy every requirement of `sel`. */
export function matchesLabelSelector(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return sel.every((r) => {
    const has = Object.hasOwn(l, r.key);
    const v = l[r.key];
    switch (r.operator) {
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      case 'Equals':
      case 'In':
        return has && r.values.includes(v!);
      case 'NotEquals':
      case 'NotIn':
        return !has || !r.values.includes(v!);
      case 'Gt':
      case 'Lt': {
        if (!has || !/^-?\d+$/.test(v!)) return false;
        return r.operator === 'Gt' ? Number(v) > Number(r.values[0]) : Number(v) < Number(r.values[0]);
      }
    }
  });
}

/** Converts {matchLabels, matchExpressions} to requirements (LabelSelectorAsSelector). */
export function labelSelectorFromObject(sel: LabelSelectorObject): LabelSelector {
  const reqs: LabelSelector = Object.entries(sel.matchLabels ?? {}).map(([key, v]) => ({
    key,
    operator: 'Equals',
    values: [v],
  }));
  for (const e of sel.matchExpressions ?? []) {
    const op = e.operator as LabelRequirement['operator'];
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(op))
      throw badRequest(`"${e.operator}" is not a valid label selector operator`);
    reqs.push({ key: e.key, operator: op, values: e.values ?? [] });
  }
  return reqs;
}

/** True when `labels` match a metav1.LabelSelector; an empty selector matches everything, a missing one nothing. */
export function matchLabelSelectorObject(
  sel: LabelSelectorObject | undefined | null,
  labels: Record<string, string> | undefined,
): boolean {
  if (!sel) return false;
  return matchesLabelSelector(labelSelectorFromObject(sel), labels);
}

/** Prints a selector back in `-l` syntax. */
export function formatLabelSelector(sel: LabelSelector): string {
  return sel
    .map((r) => {
      switch (r.operator) {
        case 'Exists':
          return r.key;
        case 'DoesNotExist':
          return `!${r.key}`;
        case 'Equals':
          return `${r.key}=${r.values[0]}`;
        case 'NotEquals':
          return `${r.key}!=${r.values[0]}`;
        case 'In':
          return `${r.key} in (${r.values.join(',')})`;
        case 'NotIn':
          return `${r.key} notin (${r.values.join(',')})`;
        case 'Gt':
          return `${r.key}>${r.values[0]}`;
        case 'Lt':
          return `${r.key}<${r.values[0]}`;
      }
    })
    .join(',');
}
