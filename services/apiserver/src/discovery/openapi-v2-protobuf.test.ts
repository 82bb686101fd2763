import { describe, expect, it } from 'vitest';
import { openApiV2Body, openApiV2Document } from './openapi-v2.js';
import { encodeOpenApiV2 } from './openapi-v2-protobuf.js';

type Fields = Map<number, Buffer[]>;

/** A tiny protobuf reader: length-delimited fields by number (the only wire type used but bools). */
function decode(buf: Buffer): Fields {
  const out: Fields = new Map();
  let at = 0;
  const varint = () => {
    let n = 0;
    let mul = 1;
    for (;;) {
      const b = buf[at++] as number;
      n += (b & 0x7f) * mul;
      mul *= 128;
      if (b < 0x80) return n;
    }
  };
  while (at < buf.length) {
    const tag = varint();
    const num = tag >>> 3;
    const wire = tag & 7;
    let value: Buffer;
    if (wire === 0) value = Buffer.from([varint()]);
    else if (wire === 2) {
      const len = varint();
      value = buf.subarray(at, at + len);
      at += len;
    } else throw new Error(`unexpected wire type ${wire}`);
    out.set(num, [...(out.get(num) ?? []), value]);
  }
  return out;
}

const one = (f: Fields, n: number): Buffer => {
  const v = f.get(n);
  if (v?.length !== 1) throw new Error(`field ${n}: ${v?.length ?? 0} values`);
  return v[0] as Buffer;
};
const str = (f: Fields, n: number) => one(f, n).toString('utf8');
const named = (f: Fields, n: number) => new Map((f.get(n) ?? []).map((b) => [str(decode(b), 1), decode(b)]));

describe('encodeOpenApiV2', () => {
  it('writes a small document byte for byte as gnostic lays it out', () => {
    const bytes = encodeOpenApiV2({
      swagger: '2.0',
      info: { title: 'T', version: 'v' },
      paths: {},
      definitions: { A: { type: 'string' } },
    });
    // Document{swagger:"2.0", info:{title:"T",version:"v"}, paths:{}, definitions:{A:{type:["string"]}}}
    const expected = Buffer.from([
      0x0a, 3, 0x32, 0x2e, 0x30, 0x12, 6, 0x0a, 1, 0x54, 0x12, 1, 0x76, 0x42, 0, 0x4a, 18, 0x0a, 16, 0x0a, 1, 0x41,
      0x12, 11, 0xb2, 0x01, 8, 0x0a, 6, 0x73, 0x74, 0x72, 0x69, 0x6e, 0x67,
    ]);
    expect(bytes.toString('hex')).toBe(expected.toString('hex'));
  });

  it('encodes properties, items, maps, required, refs and vendor extensions as YAML', () => {
    const doc = decode(
      encodeOpenApiV2({
        swagger: '2.0',
        info: { title: 'Kubernetes', version: 'v1.32.4' },
        definitions: {
          'io.k8s.api.core.v1.Service': {
            type: 'object',
            description: 'A service.',
            required: ['spec'],
            properties: {
              spec: { $ref: '#/definitions/Spec' },
              ports: { type: 'array', items: { type: 'integer', format: 'int32' } },
              labels: { type: 'object', additionalProperties: { type: 'string' } },
            },
            'x-kubernetes-group-version-kind': [{ group: '', kind: 'Service', version: 'v1' }],
          },
        },
      }),
    );
    expect(str(doc, 1)).toBe('2.0');
    expect(str(decode(one(doc, 2)), 2)).toBe('v1.32.4');
    const defs = named(decode(one(doc, 9)), 1);
    const svc = decode(one(defs.get('io.k8s.api.core.v1.Service') as Fields, 2));
    expect(str(svc, 4)).toBe('A service.');
    expect(str(svc, 19)).toBe('spec');
    expect(str(decode(one(svc, 22)), 1)).toBe('object');
    const props = named(decode(one(svc, 25)), 1);
    expect([...props.keys()]).toEqual(['spec', 'ports', 'labels']);
    expect(str(decode(one(props.get('spec') as Fields, 2)), 1)).toBe('#/definitions/Spec');
    const ports = decode(one(props.get('ports') as Fields, 2));
    const item = decode(one(decode(one(ports, 23)), 1));
    expect(str(decode(one(item, 22)), 1)).toBe('integer');
    expect(str(item, 2)).toBe('int32');
    const labels = decode(one(props.get('labels') as Fields, 2));
    const value = decode(one(decode(one(labels, 21)), 1));
    expect(str(decode(one(value, 22)), 1)).toBe('string');
    const ext = named(svc, 31).get('x-kubernetes-group-version-kind') as Fields;
    expect(str(decode(one(ext, 2)), 2)).toBe('[{"group":"","kind":"Service","version":"v1"}]\n');
  });
});

describe('openApiV2Document', () => {
  it('defines every served kind with its group-version-kind and no v3 refs', () => {
    const doc = openApiV2Document() as { definitions: Record<string, Record<string, unknown>> };
    expect(doc.definitions['io.k8s.api.apps.v1.Deployment']?.['x-kubernetes-group-version-kind']).toEqual([
      { group: 'apps', kind: 'Deployment', version: 'v1' },
    ]);
    expect(Object.keys(doc.definitions)).toContain('io.k8s.api.core.v1.ConfigMap');
    expect(JSON.stringify(doc)).not.toContain('#/components/schemas/');
  });

  it('answers protobuf for the gnostic media type and JSON otherwise', () => {
    const pb = openApiV2Body('application/com.github.proto-openapi.spec.v2@v1.0+protobuf');
    expect(pb.contentType).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    expect(str(decode(pb.body), 1)).toBe('2.0');
    const json = openApiV2Body('application/json');
    expect(JSON.parse(json.body.toString()).swagger).toBe('2.0');
  });
});
