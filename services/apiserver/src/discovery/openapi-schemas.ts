/**
 * OpenAPI v3 component schemas built from the structural schemas in `@kemu/api`, so
 * `kubectl explain` finds each kind (by x-kubernetes-group-version-kind) and walks its
 * fields. Nested structs are inlined; descriptions come from Kubernetes' API docs.
 *
 * Only kinds listed in KIND_DOCS are published: once kubectl finds a kind's schema it
 * computes `kubectl apply` patches from it, and these schemas carry no list merge keys
 * (x-kubernetes-patch-merge-key), which kinds with keyed lists (a pod's containers) need;
 * without a schema kubectl falls back to its compiled-in types. ConfigMaps and Secrets
 * hold only maps, which strategic merge patches merge by key anyway.
 */
import { type ResourceType, type Schema, schemas } from '@kemu/api';

const KIND_DOCS: Record<string, string> = {
  ConfigMap: 'ConfigMap holds configuration data for pods to consume.',
  Secret:
    'Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.',
};

const FIELD_DOCS: Record<string, string> = {
  apiVersion:
    'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
  kind: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
  metadata:
    "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
  'ConfigMap.data':
    "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
  'ConfigMap.binaryData':
    "BinaryData contains the binary data. Each key must consist of alphanumeric characters, '-', '_' or '.'. BinaryData can contain byte sequences that are not in the UTF-8 range. The keys stored in BinaryData must not overlap with the ones in the Data field, this is enforced during validation process. Using this field will require 1.10+ apiserver and kubelet.",
  'ConfigMap.immutable':
    'Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified). If not set to true, the field can be modified at any time. Defaulted to nil.',
  'Secret.data':
    "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
  'Secret.stringData':
    'stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience. All keys and values are merged into the data field on write, overwriting any existing values. The stringData field is never output when reading from the API.',
  'Secret.type':
    'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types',
  'Secret.immutable':
    'Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified). If not set to true, the field can be modified at any time. Defaulted to nil.',
};

const LEAVES: Record<string, Record<string, unknown>> = {
  string: { type: 'string' },
  bool: { type: 'boolean' },
  int32: { type: 'integer', format: 'int32' },
  int64: { type: 'integer', format: 'int64' },
  float64: { type: 'number', format: 'double' },
  any: { type: 'object' },
  quantity: { type: 'string' },
  bytes: { type: 'string', format: 'byte' },
  intOrString: { type: 'string', format: 'int-or-string' },
};

function toOpenApi(schema: Schema, kind: string, field?: string): Record<string, unknown> {
  const doc = field ? (FIELD_DOCS[`${kind}.${field}`] ?? FIELD_DOCS[field]) : undefined;
  const withDoc = (s: Record<string, unknown>) => (doc ? { description: doc, ...s } : s);
  if (typeof schema === 'string') return withDoc({ ...LEAVES[schema] });
  if ('array' in schema) return withDoc({ type: 'array', items: toOpenApi(schema.array, kind) });
  if ('map' in schema) return withDoc({ type: 'object', additionalProperties: toOpenApi(schema.map, kind) });
  const properties: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(schema.fields)) properties[name] = toOpenApi(s, kind, name);
  return withDoc({ type: 'object', properties });
}

/** The schema name Kubernetes gives a kind: `io.k8s.api.core.v1.ConfigMap`. */
export function schemaName(t: ResourceType): string {
  const group = t.group === '' ? 'core' : t.group.replace(/\.k8s\.io$/, '').replace(/\./g, '');
  return `io.k8s.api.${group}.${t.version}.${t.kind}`;
}

/** The components.schemas of a group/version's document. */
export function componentSchemas(types: readonly ResourceType[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const t of types) {
    const schema = schemas[t.kind];
    if (!schema || !KIND_DOCS[t.kind]) continue;
    const body = toOpenApi(schema, t.kind);
    body.description = KIND_DOCS[t.kind];
    body['x-kubernetes-group-version-kind'] = [{ group: t.group, version: t.version, kind: t.kind }];
    out[schemaName(t)] = body;
  }
  return out;
}
