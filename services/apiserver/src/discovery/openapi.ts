/**
 * OpenAPI v3, just enough for kubectl: a root that lists one document per group/version,
 * and per group/version documents whose operations carry x-kubernetes-group-version-kind
 * and a `fieldValidation` query parameter. With those, kubectl apply leaves validation to
 * the server and sends `fieldValidation=Strict` (kubectl-api.md §7.1).
 */
import { type ResourceType, resourceTypes } from '@kemu/api';
import { createHash } from 'node:crypto';
import { groupVersions } from './discovery.js';
import { strategyFor } from '../strategies/strategy-registry.js';
import { KUBERNETES_VERSION } from './version.js';

/** The document path of a group/version: `api/v1`, `apis/apps/v1`. */
export function openApiPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

const query = (name: string, description: string) => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string' },
  uniqueItems: true,
});
const fieldValidation = query(
  'fieldValidation',
  'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict',
);
const dryRun = query('dryRun', 'When present, indicates that modifications should not be persisted.');
const fieldManager = query(
  'fieldManager',
  'fieldManager is a name associated with the actor or entity that is making these changes.',
);
const pathParam = (name: string) => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'string' },
  uniqueItems: true,
});

function operation(t: ResourceType, action: string, verb: string, params: unknown[]): Record<string, unknown> {
  const opName = `${verb}${t.group === '' ? 'Core' : t.group.split('.')[0]?.replace(/^./, (c) => c.toUpperCase())}${t.version.replace(/^./, (c) => c.toUpperCase())}${t.namespaced ? 'Namespaced' : ''}${t.kind}`;
  return {
    operationId: opName,
    parameters: params,
    responses: { '200': { description: 'OK' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: t.group, version: t.version, kind: t.kind },
  };
}

function pathsOf(t: ResourceType): Record<string, unknown> {
  const prefix = `/${openApiPath(t.group, t.version)}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.resource}`;
  const scope = t.namespaced ? [pathParam('namespace')] : [];
  const item = {
    parameters: [...scope, pathParam('name')],
    get: operation(t, 'get', 'read', []),
    put: operation(t, 'put', 'replace', [dryRun, fieldManager, fieldValidation]),
    patch: operation(t, 'patch', 'patch', [
      dryRun,
      fieldManager,
      fieldValidation,
      query('force', 'Force is going to "force" Apply requests.'),
    ]),
    delete: operation(t, 'delete', 'delete', [dryRun]),
  };
  const out: Record<string, unknown> = {
    [prefix]: {
      parameters: scope,
      get: operation(t, 'list', 'list', [
        query('labelSelector', 'A selector to restrict the list of returned objects by their labels.'),
        query('fieldSelector', 'A selector to restrict the list of returned objects by their fields.'),
      ]),
      post: operation(t, 'post', 'create', [dryRun, fieldManager, fieldValidation]),
      delete: operation(t, 'deletecollection', 'deletecollection', [dryRun]),
    },
    [`${prefix}/{name}`]: item,
  };
  if (strategyFor(t).hasStatus) {
    out[`${prefix}/{name}/status`] = {
      parameters: [...scope, pathParam('name')],
      get: operation(t, 'get', 'read', []),
      put: operation(t, 'put', 'replace', [dryRun, fieldManager, fieldValidation]),
      patch: operation(t, 'patch', 'patch', [dryRun, fieldManager, fieldValidation]),
    };
  }
  return out;
}

/** The OpenAPI v3 document of one group/version. */
export function openApiDocument(group: string, version: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const t of resourceTypes) if (t.group === group && t.version === version) Object.assign(paths, pathsOf(t));
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: KUBERNETES_VERSION },
    paths,
    components: { schemas: {} },
  };
}

/** A stable hash of a document, as `?hash=` in the root's serverRelativeURL. */
export function documentHash(doc: unknown): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase().slice(0, 128);
}

/** The `/openapi/v3` root: one serverRelativeURL per served group/version. */
export function openApiRoot(): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const gv of groupVersions()) {
    const p = openApiPath(gv.group, gv.version);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${documentHash(openApiDocument(gv.group, gv.version))}` };
  }
  return { paths };
}
