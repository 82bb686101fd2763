/**
 * Who may publish and subscribe to what on the event log's NATS: one permission set per
 * component role, as nats-server's `authorization` block takes it. The writers of objects
 * (apiserver, controller) may write any object; a node's agent its own node's subjects
 * (nodeAgentPublishSubjects: its pods' status and its Events on `kemu.node.<node>.…`, its
 * Node and Lease; docs/subject-layout.md) and the pod-stream sessions; a
 * proxy and a dns only read, plus their own mirror pods (and dns its Service and its
 * ClusterIP's IPAddress). Every reader gets the JetStream API calls its informer makes on
 * the event stream and the snapshot store, and nothing that changes a stream.
 */
import { NODE_SUBJECT_PREFIX, STREAM, SUBJECT_PREFIX, nodeAgentPublishSubjects, subjectFor } from './subjects.js';

/** The Object Store bucket's stream of the snapshots (snapshot.ts's KEMU_SNAPSHOTS). */
const SNAPSHOT_STREAM = 'OBJ_KEMU_SNAPSHOTS';

/** A component's rights on NATS: subject patterns it may publish and subscribe to. */
export interface NatsPermissions {
  publish: string[];
  subscribe: string[];
  /** May answer requests it received (publish once to their reply subject), as a stream server does. */
  allowResponses: boolean;
}

/** The part a credential plays; a node's roles carry the node's name. */
export type ComponentRole =
  | { kind: 'admin' }
  | { kind: 'apiserver' }
  | { kind: 'controller' }
  /** `kemu dashboard`: reads the event log and the flow records, writes nothing. */
  | { kind: 'dashboard' }
  | { kind: 'node-agent'; node: string }
  | { kind: 'proxy'; node: string }
  | { kind: 'dns'; node: string; clusterDNS: string }
  /** Everything one joined node runs (node-agent, proxy, dns) and nothing beyond that node. */
  | { kind: 'node'; node: string; clusterDNS: string }
  /** The hollow node-agent: a node-agent's rights for each of its hollow nodes. */
  | { kind: 'hollow-node-agent'; nodes: string[] };

/**
 * The JetStream API subjects an informer needs to read the log and the snapshots: stream
 * info, direct and stored-message gets, creating, reading and removing its own ordered
 * consumers, and creating the event stream when it is missing (the same configuration
 * every component creates, so a second create changes nothing).
 */
export function readerApiSubjects(): string[] {
  return [
    '$JS.API.INFO',
    `$JS.API.STREAM.CREATE.${STREAM}`,
    ...streamReaderSubjects(STREAM),
    ...streamReaderSubjects(SNAPSHOT_STREAM),
  ];
}

/** The JetStream API subjects that read one stream through ordered consumers and direct gets. */
function streamReaderSubjects(s: string): string[] {
  return [
    `$JS.API.STREAM.INFO.${s}`,
    `$JS.API.STREAM.MSG.GET.${s}`,
    `$JS.API.DIRECT.GET.${s}`,
    `$JS.API.DIRECT.GET.${s}.>`,
    `$JS.API.CONSUMER.CREATE.${s}`,
    `$JS.API.CONSUMER.CREATE.${s}.>`,
    `$JS.API.CONSUMER.INFO.${s}.>`,
    `$JS.API.CONSUMER.MSG.NEXT.${s}.>`,
    `$JS.API.CONSUMER.DELETE.${s}.>`,
  ];
}

/** The flow records' stream and subjects (@kemu/flows: FLOW_STREAM, flowSubject), kept apart from the event log. */
const FLOW_STREAM = 'FLOWS';

/** What a node's proxy (`conn`) or dns (`dns`) needs to publish its flow records. */
function flowWriterSubjects(kind: 'conn' | 'dns', node: string): string[] {
  return [
    `kemu.flows.${kind}.${node.replace(/[.*> ]/g, '_') || '_'}`,
    `$JS.API.STREAM.INFO.${FLOW_STREAM}`,
    `$JS.API.STREAM.CREATE.${FLOW_STREAM}`,
  ];
}

const INBOX = '_INBOX.>';

function mirrorPod(name: string): string {
  return subjectFor({ resource: 'pods', namespace: 'kube-system', name });
}

function dnsSubjects(node: string, clusterDNS: string): string[] {
  return [
    mirrorPod(`coredns-${node}`),
    subjectFor({ resource: 'services', namespace: 'kube-system', name: 'kube-dns' }),
    subjectFor({ resource: 'ipaddresses', namespace: '', name: clusterDNS }),
  ];
}

function nodeAgentSubjects(node: string): { publish: string[]; subscribe: string[] } {
  return {
    publish: [
      ...nodeAgentPublishSubjects(node),
      // Pod-stream sessions (exec, logs, attach): frames out, pings.
      'kemu.stream.>',
      // Its pods' ServiceAccount tokens, asked of the apiserver (which answers only for its pods).
      `kemu.podtoken.${node}`,
    ],
    // Its own stream start subjects and the sessions' input.
    subscribe: [`${NODE_SUBJECT_PREFIX}.${node.replaceAll('.', '~')}.>`, 'kemu.stream.*.in'],
  };
}

/** The permissions of a role; undefined for the admin, who may do anything. */
export function componentPermissions(role: ComponentRole): NatsPermissions | undefined {
  const reader = readerApiSubjects();
  switch (role.kind) {
    case 'admin':
      return undefined;
    case 'apiserver':
    case 'controller':
      return {
        publish: ['kemu.>', '$JS.API.>', '$JS.ACK.>', '$O.KEMU_SNAPSHOTS.>', INBOX],
        subscribe: ['kemu.stream.>', 'kemu.podtoken.*', INBOX],
        allowResponses: true,
      };
    case 'node-agent': {
      const s = nodeAgentSubjects(role.node);
      return { publish: [...s.publish, ...reader], subscribe: [...s.subscribe, INBOX], allowResponses: true };
    }
    case 'hollow-node-agent': {
      const own = role.nodes.flatMap((node) => nodeAgentPublishSubjects(node));
      // Hollow pods are written whole on the object subjects (the hollow mark is an annotation,
      // which a node's status subject cannot carry); the process is local to `kemu up`, never joined.
      return {
        publish: [...own, `${SUBJECT_PREFIX}.pods.>`, `${SUBJECT_PREFIX}.events.>`, ...reader],
        subscribe: [INBOX],
        allowResponses: false,
      };
    }
    case 'dashboard':
      return {
        publish: [...reader, ...streamReaderSubjects(FLOW_STREAM), `$JS.API.STREAM.INFO.${FLOW_STREAM}`],
        subscribe: [INBOX],
        allowResponses: false,
      };
    case 'proxy':
      return {
        publish: [mirrorPod(`kube-proxy-${role.node}`), ...flowWriterSubjects('conn', role.node), ...reader],
        subscribe: [INBOX],
        allowResponses: false,
      };
    case 'dns':
      return {
        publish: [...dnsSubjects(role.node, role.clusterDNS), ...flowWriterSubjects('dns', role.node), ...reader],
        subscribe: [INBOX],
        allowResponses: false,
      };
    case 'node': {
      const s = nodeAgentSubjects(role.node);
      return {
        publish: [
          ...s.publish,
          mirrorPod(`kube-proxy-${role.node}`),
          ...dnsSubjects(role.node, role.clusterDNS),
          ...flowWriterSubjects('conn', role.node),
          ...flowWriterSubjects('dns', role.node),
          ...reader,
        ],
        subscribe: [...s.subscribe, INBOX],
        allowResponses: true,
      };
    }
  }
}
