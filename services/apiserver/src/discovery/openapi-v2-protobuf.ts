/**
 * A Swagger 2.0 document as the protobuf message client-go reads from `/openapi/v2`
 * (gnostic's `openapi.v2.Document`, OpenAPIv2.proto). Only the messages kemu's documents
 * use are encoded: Document, Info, Paths, Definitions, NamedSchema, Schema (ref, format,
 * title, description, required, additionalProperties, type, items, allOf, properties),
 * and vendor extensions as NamedAny whose Any carries the value as YAML (JSON is YAML, and
 * kube-openapi reads it with a YAML parser). Fields are written in field-number order and
 * proto3 defaults (empty strings) are left out, as Go's marshaller does.
 */

type Json = Record<string, unknown>;

/** A growable buffer of protobuf wire bytes. */
class Writer {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }

  private push(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  varint(n: number): void {
    const out: number[] = [];
    let v = n;
    while (v > 0x7f) {
      out.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(v);
    this.push(Buffer.from(out));
  }

  /** A length-delimited field (wire type 2): strings and embedded messages. */
  field(num: number, payload: Buffer): void {
    this.varint((num << 3) | 2);
    this.varint(payload.length);
    this.push(payload);
  }

  string(num: number, s: unknown): void {
    if (typeof s === 'string' && s !== '') this.field(num, Buffer.from(s, 'utf8'));
  }

  bool(num: number, b: boolean): void {
    if (!b) return;
    this.varint(num << 3);
    this.varint(1);
  }

  message(num: number, build: (w: Writer) => void): void {
    const inner = new Writer();
    build(inner);
    this.field(num, inner.bytes());
  }
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** NamedAny entries for the `x-` keys of an object. */
function vendorExtensions(w: Writer, num: number, o: Json): void {
  for (const [name, value] of Object.entries(o)) {
    if (!name.startsWith('x-')) continue;
    w.message(num, (named) => {
      named.string(1, name);
      named.message(2, (any) => any.string(2, `${JSON.stringify(value)}\n`));
    });
  }
}

function writeSchema(w: Writer, s: Json): void {
  w.string(1, s.$ref);
  w.string(2, s.format);
  w.string(3, s.title);
  w.string(4, s.description);
  if (Array.isArray(s.required)) for (const r of s.required) w.string(19, r);
  const extra = s.additionalProperties;
  if (isObject(extra)) w.message(21, (item) => item.message(1, (inner) => writeSchema(inner, extra)));
  else if (typeof extra === 'boolean') w.message(21, (item) => item.bool(2, extra));
  if (typeof s.type === 'string') w.message(22, (t) => t.string(1, s.type));
  const items = s.items;
  if (isObject(items)) w.message(23, (list) => list.message(1, (inner) => writeSchema(inner, items)));
  if (Array.isArray(s.allOf)) for (const a of s.allOf) if (isObject(a)) w.message(24, (inner) => writeSchema(inner, a));
  const props = s.properties;
  if (isObject(props)) w.message(25, (p) => namedSchemas(p, 1, props));
  vendorExtensions(w, 31, s);
}

function namedSchemas(w: Writer, num: number, schemas: Json): void {
  for (const [name, schema] of Object.entries(schemas)) {
    if (!isObject(schema)) continue;
    w.message(num, (named) => {
      named.string(1, name);
      named.message(2, (inner) => writeSchema(inner, schema));
    });
  }
}

/** Encodes a Swagger 2.0 document (swagger, info, definitions; paths must be empty). */
export function encodeOpenApiV2(doc: Json): Buffer {
  const w = new Writer();
  w.string(1, doc.swagger);
  const info = isObject(doc.info) ? doc.info : {};
  w.message(2, (i) => {
    i.string(1, info.title);
    i.string(2, info.version);
  });
  w.message(8, () => {});
  const definitions = isObject(doc.definitions) ? doc.definitions : {};
  w.message(9, (d) => namedSchemas(d, 1, definitions));
  vendorExtensions(w, 16, doc);
  return w.bytes();
}
