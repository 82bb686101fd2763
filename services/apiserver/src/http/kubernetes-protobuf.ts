/**
 * Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`): the `k8s\0`
 * magic, a runtime.Unknown envelope with apiVersion/kind, and the object in the kind's
 * generated message. kubectl's typed-client commands (`create namespace`, `create
 * deployment`, `create service`, `create configmap`, `create secret`, `create role`, `auth can-i`) send these and do not fall back to JSON on a 415, so
 * the apiserver decodes the kinds those commands create (field numbers from
 * k8s.io/api generated.proto), and the rest of the pod spec a user is likely to send.
 */
import { badRequest } from '@kemu/api';
import {
  type FieldSchema,
  type MessageSchema,
  ProtobufDecodeError,
  decodeMessage,
  readFields,
} from './protobuf-wire.js';

const s = (name: string, extra: Partial<FieldSchema> = {}): FieldSchema => ({ name, type: 'string', ...extra });
const i32 = (name: string, keepZero = false): FieldSchema => ({ name, type: 'int32', keepZero });
const i64 = (name: string, keepZero = false): FieldSchema => ({ name, type: 'int64', keepZero });
const bool = (name: string, keepZero = false): FieldSchema => ({ name, type: 'bool', keepZero });
const msg = (name: string, message: MessageSchema, repeated = false): FieldSchema => ({
  name,
  type: { message },
  repeated,
});
const strMap = (name: string): FieldSchema => ({ name, type: { map: 'string' } });
const strList = (name: string): FieldSchema => ({ name, type: 'string', repeated: true });

const ownerReference: MessageSchema = {
  1: s('kind'),
  3: s('name'),
  4: s('uid'),
  5: s('apiVersion'),
  6: bool('controller', true),
  7: bool('blockOwnerDeletion', true),
};
const objectMeta: MessageSchema = {
  1: s('name'),
  2: s('generateName'),
  3: s('namespace'),
  5: s('uid'),
  6: s('resourceVersion'),
  7: i64('generation'),
  8: { name: 'creationTimestamp', type: 'time' },
  11: strMap('labels'),
  12: strMap('annotations'),
  13: msg('ownerReferences', ownerReference, true),
  14: strList('finalizers'),
};
const labelSelector: MessageSchema = {
  1: strMap('matchLabels'),
  2: msg('matchExpressions', { 1: s('key'), 2: s('operator'), 3: strList('values') }, true),
};
const containerPort: MessageSchema = {
  1: s('name'),
  2: i32('hostPort'),
  3: i32('containerPort'),
  4: s('protocol'),
  5: s('hostIP'),
};
const envVar: MessageSchema = { 1: s('name'), 2: s('value') };
const resources: MessageSchema = {
  1: { name: 'limits', type: { map: 'quantity' } },
  2: { name: 'requests', type: { map: 'quantity' } },
};
const httpGet: MessageSchema = { 1: s('path'), 2: { name: 'port', type: 'intOrString' }, 3: s('host'), 4: s('scheme') };
const handler: MessageSchema = {
  1: msg('exec', { 1: strList('command') }),
  2: msg('httpGet', httpGet),
  3: msg('tcpSocket', { 1: { name: 'port', type: 'intOrString' }, 2: s('host') }),
};
const probeWithHandler: MessageSchema = {
  1: msg('__handler', handler),
  2: i32('initialDelaySeconds'),
  3: i32('timeoutSeconds'),
  4: i32('periodSeconds'),
  5: i32('successThreshold'),
  6: i32('failureThreshold'),
};
const container: MessageSchema = {
  1: s('name'),
  2: s('image'),
  3: strList('command'),
  4: strList('args'),
  5: s('workingDir'),
  6: msg('ports', containerPort, true),
  7: msg('env', envVar, true),
  8: msg('resources', resources),
  10: msg('livenessProbe', probeWithHandler),
  11: msg('readinessProbe', probeWithHandler),
  13: s('terminationMessagePath'),
  14: s('imagePullPolicy'),
  16: bool('stdin'),
  17: bool('stdinOnce'),
  18: bool('tty'),
  20: s('terminationMessagePolicy'),
  22: msg('startupProbe', probeWithHandler),
};
const podSpec: MessageSchema = {
  2: msg('containers', container, true),
  3: s('restartPolicy'),
  4: i64('terminationGracePeriodSeconds', true),
  6: s('dnsPolicy'),
  7: strMap('nodeSelector'),
  8: s('serviceAccountName'),
  10: s('nodeName'),
  11: bool('hostNetwork'),
  16: s('hostname'),
  17: s('subdomain'),
  20: msg('initContainers', container, true),
};
const podTemplate: MessageSchema = { 1: msg('metadata', objectMeta), 2: msg('spec', podSpec) };
const servicePort: MessageSchema = {
  1: s('name'),
  2: s('protocol'),
  3: i32('port'),
  4: { name: 'targetPort', type: 'intOrString' },
  5: i32('nodePort'),
  6: s('appProtocol'),
};
const serviceSpec: MessageSchema = {
  1: msg('ports', servicePort, true),
  2: strMap('selector'),
  3: s('clusterIP'),
  4: s('type'),
  5: strList('externalIPs'),
  7: s('sessionAffinity'),
  10: s('externalName'),
  13: bool('publishNotReadyAddresses'),
  18: strList('clusterIPs'),
  22: s('internalTrafficPolicy'),
};
const workloadSpec: MessageSchema = {
  1: i32('replicas', true),
  2: msg('selector', labelSelector),
  3: msg('template', podTemplate),
  4: msg('strategy', { 1: s('type') }),
  5: i32('minReadySeconds'),
  6: i32('revisionHistoryLimit', true),
  7: bool('paused'),
  9: i32('progressDeadlineSeconds', true),
};
const replicaSetSpec: MessageSchema = {
  1: i32('replicas', true),
  2: msg('selector', labelSelector),
  3: msg('template', podTemplate),
  4: i32('minReadySeconds'),
};

const policyRule: MessageSchema = {
  1: strList('verbs'),
  2: strList('apiGroups'),
  3: strList('resources'),
  4: strList('resourceNames'),
  5: strList('nonResourceURLs'),
};
const roleBinding: MessageSchema = {
  1: msg('metadata', objectMeta),
  2: msg('subjects', { 1: s('kind'), 2: s('apiGroup'), 3: s('name'), 4: s('namespace') }, true),
  3: msg('roleRef', { 1: s('apiGroup'), 2: s('kind'), 3: s('name') }),
};
const accessReview: MessageSchema = {
  1: msg('metadata', objectMeta),
  2: msg('spec', {
    1: msg('resourceAttributes', {
      1: s('namespace'),
      2: s('verb'),
      3: s('group'),
      4: s('version'),
      5: s('resource'),
      6: s('subresource'),
      7: s('name'),
    }),
    2: msg('nonResourceAttributes', { 1: s('path'), 2: s('verb') }),
  }),
};
// batch/v1 JobSpec and CronJobSpec (`kubectl create job` / `create cronjob`).
const jobSpec: MessageSchema = {
  1: i32('parallelism', true),
  2: i32('completions', true),
  3: i64('activeDeadlineSeconds', true),
  4: msg('selector', labelSelector),
  5: bool('manualSelector', true),
  6: msg('template', podTemplate),
  7: i32('backoffLimit', true),
  8: i32('ttlSecondsAfterFinished', true),
  9: s('completionMode'),
  10: bool('suspend', true),
  14: s('podReplacementPolicy'),
};
const cronJobSpec: MessageSchema = {
  1: s('schedule'),
  2: i64('startingDeadlineSeconds', true),
  3: s('concurrencyPolicy'),
  4: bool('suspend', true),
  5: msg('jobTemplate', { 1: msg('metadata', objectMeta), 2: msg('spec', jobSpec) }),
  6: i32('successfulJobsHistoryLimit', true),
  7: i32('failedJobsHistoryLimit', true),
  8: s('timeZone'),
};

const kinds: Record<string, MessageSchema> = {
  Role: { 1: msg('metadata', objectMeta), 2: msg('rules', policyRule, true) },
  ClusterRole: { 1: msg('metadata', objectMeta), 2: msg('rules', policyRule, true) },
  RoleBinding: roleBinding,
  ClusterRoleBinding: roleBinding,
  ServiceAccount: { 1: msg('metadata', objectMeta), 4: bool('automountServiceAccountToken', true) },
  SelfSubjectAccessReview: accessReview,
  SelfSubjectRulesReview: { 1: msg('metadata', objectMeta), 2: msg('spec', { 1: s('namespace') }) },
  TokenRequest: {
    1: msg('metadata', objectMeta),
    2: msg('spec', {
      1: strList('audiences'),
      3: msg('boundObjectRef', { 1: s('kind'), 2: s('apiVersion'), 3: s('name'), 4: s('uid') }),
      4: i64('expirationSeconds', true),
    }),
  },
  Namespace: { 1: msg('metadata', objectMeta), 2: msg('spec', { 1: strList('finalizers') }) },
  Service: { 1: msg('metadata', objectMeta), 2: msg('spec', serviceSpec) },
  Pod: { 1: msg('metadata', objectMeta), 2: msg('spec', podSpec) },
  Deployment: { 1: msg('metadata', objectMeta), 2: msg('spec', workloadSpec) },
  ReplicaSet: { 1: msg('metadata', objectMeta), 2: msg('spec', replicaSetSpec) },
  ConfigMap: {
    1: msg('metadata', objectMeta),
    2: strMap('data'),
    3: { name: 'binaryData', type: { map: 'bytes' } },
    4: bool('immutable', true),
  },
  Secret: {
    1: msg('metadata', objectMeta),
    2: { name: 'data', type: { map: 'bytes' } },
    3: s('type'),
    4: strMap('stringData'),
    5: bool('immutable', true),
  },
  Job: { 1: msg('metadata', objectMeta), 2: msg('spec', jobSpec) },
  CronJob: { 1: msg('metadata', objectMeta), 2: msg('spec', cronJobSpec) },
};

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

function flattenHandlers(v: unknown): void {
  if (Array.isArray(v)) for (const x of v) flattenHandlers(x);
  else if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (o.__handler && typeof o.__handler === 'object') {
      Object.assign(o, o.__handler);
      delete o.__handler;
    }
    for (const x of Object.values(o)) flattenHandlers(x);
  }
}

/** True for a protobuf Content-Type. */
export function isProtobuf(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim() === 'application/vnd.kubernetes.protobuf';
}

/** Decodes a Kubernetes protobuf body to the JSON-shaped object; 400/415 Status when it cannot. */
export function decodeKubernetesProtobuf(body: Uint8Array): Record<string, unknown> {
  if (body.length < 4 || MAGIC.some((b, i) => body[i] !== b))
    throw badRequest('provided protobuf body does not start with the k8s magic prefix');
  try {
    let typeMeta: Record<string, unknown> = {};
    let raw: Uint8Array | undefined;
    for (const f of readFields(body.subarray(4))) {
      if (f.num === 1 && f.bytes) typeMeta = decodeMessage(f.bytes, { 1: s('apiVersion'), 2: s('kind') });
      if (f.num === 2) raw = f.bytes;
    }
    const kind = String(typeMeta.kind ?? '');
    const schema = kinds[kind];
    if (!schema)
      throw badRequest(`protobuf bodies of kind ${JSON.stringify(kind)} are not supported by kemu; send JSON`);
    const obj = decodeMessage(raw ?? new Uint8Array(), schema);
    flattenHandlers(obj);
    return { apiVersion: typeMeta.apiVersion, kind, ...obj };
  } catch (err) {
    if (err instanceof ProtobufDecodeError) throw badRequest(`unable to decode protobuf body: ${err.message}`);
    throw err;
  }
}
