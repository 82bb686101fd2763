import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.js';
import { decodeBody, parseManifests } from './manifests.js';

function error(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

const multi = `# MySQL Service
apiVersion: v1
kind: Service
metadata:
  name: mysql-service
spec:
  selector:
    app: mysql
  ports:
    - port: 3306
      targetPort: 3306
---
---
# only a comment
---
apiVersion: v1
kind: Pod
metadata:
  name: app-pod
spec:
  containers:
  - name: app
    image: myapp:latest
    env:
    - name: DB_PORT
      value: "3306"
`;

describe('parseManifests', () => {
  it('splits multi-document YAML and skips empty documents', () => {
    const objs = parseManifests(multi);
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Service/mysql-service', 'Pod/app-pod']);
    expect((objs[1]!.spec as { containers: { env: unknown[] }[] }).containers[0]!.env).toEqual([
      { name: 'DB_PORT', value: '3306' },
    ]);
  });

  it('reads JSON and flattens a List', () => {
    const text = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' } }],
    });
    expect(parseManifests(text).map((o) => o.metadata.name)).toEqual(['a']);
  });

  it('resolves scalars as go-yaml does (yes is a boolean, dates stay strings)', () => {
    const [o] = parseManifests('apiVersion: v1\nkind: X\nmetadata: {name: a}\nv: yes\nd: 2024-01-02\nt: "yes"\n');
    expect(o).toMatchObject({ v: true, d: '2024-01-02', t: 'yes' });
  });

  it('rejects duplicate keys with go-yaml wording and per-document lines', () => {
    const e = error(() =>
      parseManifests('apiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n'),
    );
    expect(e.code).toBe(400);
    expect(e.message).toBe(
      'error converting YAML to JSON: yaml: unmarshal errors:\n  line 5: mapping key "name" already defined at line 4',
    );
  });

  it('rejects undecodable YAML', () => {
    const e = error(() => parseManifests('apiVersion: v1\nkind: Pod\nmetadata: name: x\n'));
    expect(e.code).toBe(400);
    expect(e.message).toBe(
      'error converting YAML to JSON: yaml: line 3: mapping values are not allowed in this context',
    );
  });

  it('rejects documents that are not mappings or lack a kind', () => {
    expect(error(() => parseManifests('- a\n- b\n')).message).toBe(
      'json: cannot unmarshal array into Go value of type map[string]interface {}',
    );
    expect(error(() => parseManifests('just text')).message).toBe(
      'json: cannot unmarshal string into Go value of type map[string]interface {}',
    );
    expect(error(() => parseManifests('apiVersion: v1\nmetadata: {name: a}\n')).message).toBe(
      `Object 'Kind' is missing in '{"apiVersion":"v1","metadata":{"name":"a"}}'`,
    );
  });
});

describe('decodeBody', () => {
  it('decodes JSON by default and YAML for yaml content types', () => {
    expect(decodeBody('{"a":1}')).toEqual({ a: 1 });
    expect(decodeBody('{"a":1}', 'application/strategic-merge-patch+json')).toEqual({ a: 1 });
    expect(decodeBody('a: 1\nb: [x]\n', 'application/apply-patch+yaml')).toEqual({ a: 1, b: ['x'] });
    expect(decodeBody('{"a": 2}', 'application/yaml; charset=utf-8')).toEqual({ a: 2 });
  });

  it('answers 400 for bodies it cannot read', () => {
    expect(error(() => decodeBody('{nope')).code).toBe(400);
    expect(error(() => decodeBody('a: b: c', 'application/yaml')).code).toBe(400);
    expect(error(() => decodeBody('a: 1\na: 2\n', 'application/yaml')).message).toContain(
      'mapping key "a" already defined at line 1',
    );
  });
});
