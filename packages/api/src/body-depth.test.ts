import { describe, expect, it } from 'vitest';
import { MAX_BODY_DEPTH, checkJsonDepth, checkYamlDepth, jsonDepth, yamlShape } from './body-depth.js';
import { decodeBody, parseManifests } from './manifests.js';

const nestedBlockMap = (d: number): string => {
  let s = '';
  for (let i = 0; i < d; i++) s += `${' '.repeat(i)}a:\n`;
  return `${s}${' '.repeat(d)}b: 1\n`;
};
/** `a:\n- b:\n  - c:` … a sequence under each key at the key's column: two levels per two columns. */
const mapSeqLadder = (pairs: number): string => {
  let s = 'k0:\n';
  for (let i = 0; i < pairs; i++) s += `${' '.repeat(2 * i)}- k${i + 1}:\n`;
  return `${s}${' '.repeat(2 * pairs + 2)}x\n`;
};
const billionLaughs = (): string => {
  let s = 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  for (let i = 1; i < 10; i++)
    s += `a${i}: &a${i} [${Array(9)
      .fill(`*a${i - 1}`)
      .join(',')}]\n`;
  return s;
};

describe('jsonDepth', () => {
  it('counts open brackets outside strings', () => {
    expect(jsonDepth('{"a":[{"b":1}]}')).toBe(3);
    expect(jsonDepth('{"a":"[[[{{{\\"[[["}')).toBe(1);
    expect(jsonDepth('[]')).toBe(1);
    expect(jsonDepth('1')).toBe(0);
  });
});

describe('yamlShape', () => {
  it('measures block mappings and sequences as the parser nests them', () => {
    const pod = `apiVersion: v1
kind: Pod
metadata:
  name: p
  labels: {app: web}
spec:
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "echo [[[ {{{"]
    ports:
    - containerPort: 80
    args: |
      - - - - [[[[ text, not structure
      - - - -
  restartPolicy: Always
`;
    // root map, spec, containers, container, ports, port = 6
    expect(yamlShape(pod)).toEqual({ depth: 6, aliases: 0 });
    expect(yamlShape(nestedBlockMap(5)).depth).toBe(6);
    // The scalar after the last `-` may have been a key, so it counts: one level over, never under.
    expect(yamlShape('- - - - 1\n').depth).toBe(5);
    expect(yamlShape('[[[1]]]').depth).toBe(3);
    expect(yamlShape('a: [[1], {b: [2]}]\n').depth).toBe(4);
    expect(yamlShape(mapSeqLadder(3)).depth).toBe(8);
  });

  it('ignores brackets in quoted, plain and block scalars and comments', () => {
    expect(yamlShape(`a: "[[[[\n  [[[["\nb: '{{{{'\nc: x[[[[ # [[[[\nd: >\n  [[[[\n`).depth).toBe(1);
  });

  it('counts aliases', () => {
    expect(yamlShape(billionLaughs()).aliases).toBe(81);
  });
});

describe('checkYamlDepth and checkJsonDepth', () => {
  it('refuses bodies nested deeper than the bound, in every style, with a 400', () => {
    for (const body of [
      '['.repeat(10_000) + ']'.repeat(10_000),
      '{a: '.repeat(1_000) + '1' + '}'.repeat(1_000),
      `${'- '.repeat(10_000)}1\n`,
      nestedBlockMap(MAX_BODY_DEPTH + 1),
      mapSeqLadder(MAX_BODY_DEPTH),
    ]) {
      expect(() => checkYamlDepth(body)).toThrowError(/nested too deeply/);
      expect(() => decodeBody(body, 'application/yaml')).toThrowError(
        expect.objectContaining({
          code: 400,
          message: 'the request body is nested too deeply: the limit is 100 levels',
        }),
      );
    }
    expect(() => decodeBody('{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000))).toThrowError(
      expect.objectContaining({ code: 400, message: 'the request body is nested too deeply: the limit is 100 levels' }),
    );
    expect(() => parseManifests(`${'- '.repeat(500)}1\n`)).toThrowError(/nested too deeply/);
  });

  it('accepts a body at the bound', () => {
    expect(() => checkYamlDepth(nestedBlockMap(MAX_BODY_DEPTH - 1))).not.toThrow();
    expect(() => checkJsonDepth('['.repeat(MAX_BODY_DEPTH) + ']'.repeat(MAX_BODY_DEPTH))).not.toThrow();
    expect(decodeBody(nestedBlockMap(MAX_BODY_DEPTH - 1), 'application/yaml')).toBeTypeOf('object');
  });

  it('refuses a billion-laughs body and alias chains that multiply depth', () => {
    expect(() => decodeBody(billionLaughs(), 'application/yaml')).toThrowError(expect.objectContaining({ code: 400 }));
    let chain = 'a0: &a0 [[[[[1]]]]]\n';
    for (let i = 1; i < 30; i++) chain += `a${i}: &a${i} [*a${i - 1}]\n`;
    expect(() => checkYamlDepth(chain)).toThrowError(/nested too deeply/);
    let many = '';
    for (let i = 0; i < 101; i++) many += `k${i}: *x\n`;
    expect(() => checkYamlDepth(`x: &x 1\n${many}`)).toThrowError(/too many YAML aliases/);
  });

  it('scans a 3 MiB manifest in linear time (within two seconds)', () => {
    const doc = 'kind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    args: ["[", "{"]\n';
    const text = doc.repeat(Math.floor((3 * 1024 * 1024) / doc.length));
    const t0 = performance.now();
    checkYamlDepth(text);
    expect(performance.now() - t0).toBeLessThan(2_000);
  });
});
