/**
 * `/openapi/v2`: a Swagger 2.0 document of every served kind, built from the same schemas
 * as /openapi/v3. kubectl 1.32 validates a `kind: List` on the client against these
 * definitions (found by x-kubernetes-group-version-kind) and fails when the document is
 * missing. `paths` is left empty on purpose: with no PATCH operation to read, kubectl's
 * apply keeps computing strategic merge patches from its built-in types, since kemu's
 * schemas carry no patch merge keys. Both encodings are built once and cached.
 */
import { groupVersions } from './discovery.js';
import { componentSchemas } from './openapi-schemas.js';
import { encodeOpenApiV2 } from './openapi-v2-protobuf.js';
import { KUBERNETES_VERSION } from './version.js';

/**
 * The media type kube-apiserver answers with. client-go asks for the older spelling with
 * `@v1.0`, but Go's mime parser rejects the `@` in a Content-Type, so the reply uses `.v1.0`.
 */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/** Rewrites OpenAPI v3 component refs to Swagger 2.0 definition refs, deeply. */
export function toSwaggerSchema(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toSwaggerSchema);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    out[k] =
      k === '$ref' && typeof x === 'string' ? x.replace('#/components/schemas/', '#/definitions/') : toSwaggerSchema(x);
  }
  return out;
}

/** The Swagger 2.0 document of all served group/versions. */
export function openApiV2Document(): Record<string, unknown> {
  const definitions: Record<string, unknown> = {};
  for (const gv of groupVersions()) {
    for (const [name, schema] of Object.entries(componentSchemas(gv.group, gv.version))) {
      definitions[name] = toSwaggerSchema(schema);
    }
  }
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: KUBERNETES_VERSION },
    paths: {},
    definitions,
  };
}

let cached: { json: Buffer; protobuf: Buffer } | undefined;

/** The document's bytes: protobuf when the Accept header asks for it, JSON otherwise. */
export function openApiV2Body(accept: string | undefined): { contentType: string; body: Buffer } {
  if (!cached) {
    const doc = openApiV2Document();
    cached = { json: Buffer.from(JSON.stringify(doc)), protobuf: encodeOpenApiV2(doc) };
  }
  return wantsProtobuf(accept)
    ? { contentType: OPENAPI_V2_PROTOBUF, body: cached.protobuf }
    : { contentType: 'application/json', body: cached.json };
}

function wantsProtobuf(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((t) => t.trim().startsWith('application/com.github.proto-openapi.spec.v2'));
}
