/**
 * Nesting-depth bounds checked before a request body reaches a parser. The yaml library
 * composes and converts nodes recursively: measured here (yaml 2.9, Node's default
 * 984 KB stack) a flow body overflows the stack at about 700 levels, a block body at
 * about 880, and a 20 KB body nested 10 000 deep killed the apiserver (V8 aborts when
 * the overflow hits inside its regexp compiler). The apiserver's own walks (duplicate
 * JSON keys, defaulting, merges) recurse too and overflow between 1 000 and 5 000 levels
 * of JSON. So both formats share one bound, 100 levels: a seventh of the smallest
 * overflow depth, a 100-deep body parsed in milliseconds, and about eight times
 * the depth of the deepest objects kemu serves (a pod's managedFields fieldsV1 or
 * projected volume items: about 12).
 * kube-apiserver's JSON decoder allows 10 000; kemu refuses earlier because its parsers
 * recurse where Go's do not.
 *
 * JSON is scanned by hand (strings and escapes are all that matter). YAML is scanned
 * with the yaml library's own Lexer, which is iterative (no recursion, linear time,
 * about an eighth of the parse's time) and so cannot disagree with the parser about
 * what is quoted, a comment, a block scalar or a flow collection; block nesting is
 * counted from indentation and the `-`/`?`/`:` indicators; the count may exceed the
 * parser's depth by one, never fall short of it (checked against 20 000 generated
 * documents in every output style of the library). Aliases expand a node at
 * another place, so a chain of them multiplies depth: the bound applies to the
 * lexical depth times (aliases + 1), and more than MAX_YAML_ALIASES aliases is refused
 * outright (a "billion laughs" body). Protobuf bodies need no bound: the apiserver decodes
 * them only through its fixed, non-recursive message schemas and refuses groups.
 */
import { Lexer } from 'yaml';
import { badRequest } from './errors.js';

/** The deepest nesting accepted in a JSON or YAML request body. */
export const MAX_BODY_DEPTH = 100;

/** The most YAML aliases accepted in one body, as the parser's own `maxAliasCount`. */
export const MAX_YAML_ALIASES = 100;

/** The nesting depth of a JSON text: the deepest run of open `[`/`{` outside strings (the scan stops once past `stopAbove`). */
export function jsonDepth(text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) max = depth;
      if (max > stopAbove) break;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return max;
}

/** What a YAML scan found: the deepest lexical nesting and the number of aliases. */
export interface YamlShape {
  depth: number;
  aliases: number;
}

interface BlockLevel {
  col: number;
  depth: number;
  seq: boolean;
}

/** The lexical nesting depth and alias count of a YAML text (all documents; the scan stops once deeper than `stopAbove`). */
export function yamlShape(text: string, stopAbove = Number.POSITIVE_INFINITY): YamlShape {
  const stack: BlockLevel[] = [];
  let max = 0;
  let aliases = 0;
  let col = 0;
  let lineStart = true;
  let pending = false; // a `-`/`?`/explicit `:` indicator: the next token on the line nests
  let current = 0; // block depth of the node being read on this line
  let flow = 0;
  let flowBase = 0;
  let blockScalar = false; // a `|`/`>` header was read: the next scalar token is its content
  let scalar = false; // the lexer marked the next token as a scalar's source
  // Indentation-stack rule: a token at a column right of the enclosing level opens a
  // level one deeper; at the same column it is a sibling, except a `-` entry at a
  // mapping key's column, which is a sequence value one deeper.
  const enter = (at: number, dash: boolean): number => {
    while (stack.length > 0 && stack[stack.length - 1]!.col > at) stack.pop();
    let top = stack[stack.length - 1];
    if (top && top.col === at && top.seq && !dash) {
      stack.pop();
      top = stack[stack.length - 1];
    }
    if (top && top.col === at) {
      if (dash && !top.seq) stack.push({ col: at, depth: top.depth + 1, seq: true });
    } else stack.push({ col: at, depth: (top?.depth ?? 0) + 1, seq: dash });
    const depth = stack[stack.length - 1]!.depth;
    if (depth > max) max = depth;
    return depth;
  };
  for (const tok of new Lexer().lex(text)) {
    if (max > stopAbove) break;
    const c = tok[0];
    if (tok === '' || tok === '\n' || tok === '\r\n') {
      col = 0;
      lineStart = true;
      pending = false;
      if (scalar) blockScalar = scalar = false; // an empty block scalar
      continue;
    }
    // Control tokens (document, scalar and flow-error markers, BOM) take no columns.
    if (c === '\x1f') {
      scalar = true;
      continue;
    }
    if (c === '\x02' || c === '\ufeff') continue;
    if (c === '\x18') {
      flow = 0;
      continue;
    }
    const width = tok.length;
    if (scalar && blockScalar) {
      // A block scalar's content: whole lines of text, ending at a line start.
      scalar = false;
      blockScalar = false;
      lineStart = tok.endsWith('\n');
      col = 0;
      continue;
    }
    const isScalar = scalar;
    scalar = false;
    if (!isScalar && (c === ' ' || c === '\t')) {
      col += width;
      continue;
    }
    if (!isScalar && c === '#') {
      col += width;
      continue;
    }
    if (!isScalar && (tok === '---' || tok === '...')) {
      stack.length = 0;
      current = 0;
      pending = tok === '---';
      lineStart = false;
      col += width;
      continue;
    }
    const entered = flow === 0 && (lineStart || pending);
    if (entered) current = enter(col, !isScalar && tok === '-');
    lineStart = false;
    pending = false;
    if (!isScalar && flow === 0 && (tok === '-' || tok === '?' || (tok === ':' && stack.at(-1)?.col === col)))
      pending = true;
    if (isScalar) {
      // plain, quoted and block-scalar text nests nothing
    } else if (c === '|' || c === '>') blockScalar = true;
    else if (tok === '[' || tok === '{') {
      // A flow collection opening a block node is that node's level, not one below it.
      if (flow === 0) flowBase = entered ? current - 1 : current;
      flow++;
      if (flowBase + flow > max) max = flowBase + flow;
    } else if ((tok === ']' || tok === '}') && flow > 0) flow--;
    else if (c === '*') aliases++;
    const nl = tok.lastIndexOf('\n');
    col = nl < 0 ? col + width : width - nl - 1;
  }
  return { depth: max, aliases };
}

/** The 400 for a body past the bound (the scan stops there, so no exact depth is given). */
function tooDeep(): Error {
  return badRequest(`the request body is nested too deeply: the limit is ${MAX_BODY_DEPTH} levels`);
}

/** Refuses (400) a YAML text nested deeper than MAX_BODY_DEPTH (aliases expanded) or with too many aliases. */
export function checkYamlDepth(text: string): void {
  const { depth, aliases } = yamlShape(text, MAX_BODY_DEPTH);
  if (aliases > MAX_YAML_ALIASES)
    throw badRequest(`the request body has too many YAML aliases: ${aliases}, the limit is ${MAX_YAML_ALIASES}`);
  const expanded = depth * (aliases + 1);
  if (expanded > MAX_BODY_DEPTH) throw tooDeep();
}

/** Refuses (400) a JSON text nested deeper than MAX_BODY_DEPTH. */
export function checkJsonDepth(text: string): void {
  const depth = jsonDepth(text, MAX_BODY_DEPTH);
  if (depth > MAX_BODY_DEPTH) throw tooDeep();
}
