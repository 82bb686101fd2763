/**
 * Subject layout of the event stream: `kemu.obj.<resource>.<namespace>.<name>` for objects,
 * and the node-scoped `kemu.node.<node>.pods.<namespace>.<name>` decided in
 * docs/subject-layout.md: the status (and the final removal) of a pod bound to `<node>`,
 * the only pod records a node-agent may write; and `kemu.node.<node>.events.<ns>.<name>`,
 * the Events it records. Other `kemu.node.<node>.<kind>` subjects
 * (four tokens: the pod-stream requests of @kemu/pod-streams) are not in the stream.
 * Cluster-scoped objects use `_` as namespace. Object names may contain `.`, which is a
 * token separator in NATS, so `.` is written as `~` (a character no Kubernetes name can
 * hold); the mapping is reversible.
 */
import type { ObjectKey } from '@kemu/api';

/** Name of the one JetStream stream that holds the event log. */
export const STREAM = 'KEMU';
/** Prefix shared by every event subject. */
export const SUBJECT_PREFIX = 'kemu.obj';

function encodeToken(token: string): string {
  return token.replaceAll('.', '~');
}

function decodeToken(token: string): string {
  return token.replaceAll('~', '.');
}

/** The subject that holds every event of one object. */
export function subjectFor(key: ObjectKey): string {
  return `${SUBJECT_PREFIX}.${key.resource}.${key.namespace === '' ? '_' : encodeToken(key.namespace)}.${encodeToken(key.name)}`;
}

/** The resources a node writes on its node-scoped subjects: its pods' status, and the Events it records. */
export const NODE_SCOPED_RESOURCES: readonly string[] = ['pods', 'events'];

/** The stream's subjects: every object subject and every node's pod status and Event subjects. */
export const STREAM_SUBJECTS: readonly string[] = [
  `${SUBJECT_PREFIX}.>`,
  ...NODE_SCOPED_RESOURCES.map((r) => `kemu.node.*.${r}.>`),
];

/** A filter matching every record of the stream, whichever of its subjects it is on. */
export const EVERY_RECORD = 'kemu.>';

/** The subject filter that matches every object of the given resources. */
export function subjectsForResources(resources: readonly string[]): string[] {
  return resources.map((r) => `${SUBJECT_PREFIX}.${r}.>`);
}

/** Parses a subject written by subjectFor. */
export function keyFromSubject(subject: string): ObjectKey | undefined {
  const parts = subject.split('.');
  if (parts.length !== 5 || `${parts[0]}.${parts[1]}` !== SUBJECT_PREFIX) return undefined;
  const [, , resource, namespace, name] = parts as [string, string, string, string, string];
  return { resource, namespace: namespace === '_' ? '' : decodeToken(namespace), name: decodeToken(name) };
}

/**
 * Prefix of the node-scoped subjects (docs/subject-layout.md): what one node's agent
 * writes lives under `kemu.node.<node>.`, so a NATS permission can name it and a
 * node's informer can follow it with one filter subject.
 */
export const NODE_SUBJECT_PREFIX = 'kemu.node';

/** The node-scoped subject on which `node`'s agent writes the status of `key` (a pod bound to it), or an Event it records. */
export function nodeStatusSubjectFor(node: string, key: ObjectKey): string {
  return `${NODE_SUBJECT_PREFIX}.${encodeToken(node)}.${key.resource}.${key.namespace === '' ? '_' : encodeToken(key.namespace)}.${encodeToken(key.name)}`;
}

/** Parses a subject written by nodeStatusSubjectFor: the node and the pod's (or Event's) key. */
export function nodeKeyFromSubject(subject: string): { node: string; key: ObjectKey } | undefined {
  const parts = subject.split('.');
  if (parts.length !== 6 || `${parts[0]}.${parts[1]}` !== NODE_SUBJECT_PREFIX) return undefined;
  if (!NODE_SCOPED_RESOURCES.includes(parts[3] as string)) return undefined;
  const [, , node, resource, namespace, name] = parts as [string, string, string, string, string, string];
  return { node: decodeToken(node), key: { resource, namespace: decodeToken(namespace), name: decodeToken(name) } };
}

/** The filter of one node's subjects of a node-scoped resource (`*`: every node's). */
export function nodeResourceSubjects(resource: string, node: string | undefined): string {
  return `${NODE_SUBJECT_PREFIX}.${node === undefined ? '*' : encodeToken(node)}.${resource}.>`;
}

/** The subjects a node's agent may publish to: its node-scoped subtree, its own Node and its own Lease. */
export function nodeAgentPublishSubjects(node: string): string[] {
  const n = encodeToken(node);
  return [
    `${NODE_SUBJECT_PREFIX}.${n}.>`,
    `${SUBJECT_PREFIX}.nodes._.${n}`,
    `${SUBJECT_PREFIX}.leases.kube-node-lease.${n}`,
  ];
}
