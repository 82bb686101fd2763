/**
 * The `components.schemas` of an OpenAPI v3 group/version document, built from the
 * structural schemas the apiserver decodes with (@kemu/api schema.ts), so `kubectl
 * explain` finds every kind by its x-kubernetes-group-version-kind and walks its fields
 * and types. Nested structs are inlined; loosely typed subtrees (`any`) are objects.
 */
import { type ResourceType, type Schema, kindSchemas, resourceTypes } from '@kemu/api';
import { fieldDescription } from './openapi-descriptions.js';

/** Kind descriptions as the Kubernetes API documents them (kinds without one get none). */
const KIND_DESCRIPTIONS: Record<string, string> = {
  Pod: 'Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.',
  Service:
    'Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.',
  Deployment: 'Deployment enables declarative updates for Pods and ReplicaSets.',
  ReplicaSet: 'ReplicaSet ensures that a specified number of pod replicas are running at any given time.',
  StatefulSet:
    'StatefulSet represents a set of pods with consistent identities. Identities are defined as:\n  - Network: A single stable DNS and hostname.\n  - Storage: As many VolumeClaims as requested.\n\nThe StatefulSet guarantees that a given network identity will always map to the same storage identity.',
  DaemonSet: 'DaemonSet represents the configuration of a daemon set.',
  ControllerRevision:
    'ControllerRevision implements an immutable snapshot of state data. Clients are responsible for serializing and deserializing the objects that contain their internal state. Once a ControllerRevision has been successfully created, it can not be updated. The API Server will fail validation of all requests that attempt to mutate the Data field. ControllerRevisions may, however, be deleted. Note that, due to its use by both the DaemonSet and StatefulSet controllers for update and rollback, this object is beta. However, it may be subject to name and representation changes in future releases, and clients should not depend on its stability. It is primarily for internal use by controllers.',
  Job: 'Job represents the configuration of a single job.',
  CronJob: 'CronJob represents the configuration of a single cron job.',
  ConfigMap: 'ConfigMap holds configuration data for pods to consume.',
  Secret:
    'Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.',
};

/** One structural schema as an OpenAPI v3 schema object; `describe(path)` gives field descriptions. */
export function openApiSchema(
  s: Schema,
  describe: (path: string) => string | undefined = () => undefined,
  path = '',
): Record<string, unknown> {
  switch (s) {
    case 'string':
      return { type: 'string' };
    case 'bool':
      return { type: 'boolean' };
    case 'int32':
    case 'int64':
      return { type: 'integer', format: s };
    case 'float64':
      return { type: 'number', format: 'double' };
    case 'quantity':
      return { type: 'string', format: 'quantity' };
    case 'bytes':
      return { type: 'string', format: 'byte' };
    case 'intOrString':
      return { type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true };
    case 'any':
      return { type: 'object' };
  }
  if ('array' in s) return { type: 'array', items: openApiSchema(s.array, describe, path) };
  if ('map' in s) return { type: 'object', additionalProperties: openApiSchema(s.map) };
  const properties: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s.fields)) {
    const at = path ? `${path}.${k}` : k;
    const description = describe(at);
    properties[k] = { ...openApiSchema(v, describe, at), ...(description ? { description } : {}) };
  }
  return { type: 'object', properties };
}

/** The schema name Kubernetes gives a kind: `io.k8s.api.apps.v1.StatefulSet`. */
export function schemaName(t: ResourceType): string {
  return `io.k8s.api.${t.group === '' ? 'core' : t.group.split('.')[0]}.${t.version}.${t.kind}`;
}

/** The component schemas of the kinds served in one group/version. */
export function componentSchemas(group: string, version: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const t of resourceTypes) {
    if (t.group !== group || t.version !== version) continue;
    const schema = kindSchemas[t.kind];
    if (!schema) continue;
    const description = KIND_DESCRIPTIONS[t.kind];
    out[schemaName(t)] = {
      ...openApiSchema(schema, (path) => fieldDescription(t.kind, path)),
      ...(description ? { description } : {}),
      'x-kubernetes-group-version-kind': [{ group: t.group, kind: t.kind, version: t.version }],
    };
  }
  return out;
}
