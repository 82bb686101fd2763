/**
 * ConfigMap and Secret validation as k8s.io/kubernetes' ValidateConfigMap/ValidateSecret
 * (and their Update variants) word it: key names (IsConfigMapKey), the 1 MiB size bound
 * (core.MaxSecretSize), keys present in both `data` and `binaryData`, the keys each
 * Secret type requires, and `immutable`.
 */
import type { StatusCause } from './errors.js';
import { deepEqual } from './deep-equal.js';
import { forbidden, invalidValue, required } from './field-errors.js';
import type { ConfigMap, Secret } from './types.js';

/** The most bytes a ConfigMap's or Secret's data may hold (core.MaxSecretSize). */
export const MAX_CONFIG_SIZE = 1024 * 1024;

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const CONFIG_KEY_MESSAGE =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

/** The messages of k8s.io/apimachinery's IsConfigMapKey; empty for a valid key. */
export function isConfigMapKey(key: string): string[] {
  const errs: string[] = [];
  if (key.length > 253) errs.push('must be no more than 253 characters');
  if (!CONFIG_KEY.test(key)) errs.push(CONFIG_KEY_MESSAGE);
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/** Bytes a base64 value decodes to. */
export function base64Size(value: string): number {
  return Buffer.from(value, 'base64').length;
}

function keyCauses(path: string, data: Record<string, string> | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const key of Object.keys(data ?? {})) {
    for (const msg of isConfigMapKey(key)) causes.push(invalidValue(`${path}[${key}]`, key, msg));
  }
  return causes;
}

function tooLarge(path: string): StatusCause {
  return {
    reason: 'FieldValueTooLong',
    message: `Too long: may not be more than ${MAX_CONFIG_SIZE} bytes`,
    field: path,
  };
}

/** Validates a ConfigMap. */
export function validateConfigMap(cm: ConfigMap): StatusCause[] {
  const causes = [...keyCauses('data', cm.data), ...keyCauses('binaryData', cm.binaryData)];
  let size = 0;
  for (const [key, value] of Object.entries(cm.data ?? {})) {
    if (cm.binaryData && key in cm.binaryData)
      causes.push(invalidValue(`data[${key}]`, key, 'duplicate of key present in binaryData'));
    size += Buffer.byteLength(value);
  }
  for (const [key, value] of Object.entries(cm.binaryData ?? {})) {
    if (cm.data && key in cm.data)
      causes.push(invalidValue(`binaryData[${key}]`, key, 'duplicate of key present in data'));
    size += base64Size(value);
  }
  if (size > MAX_CONFIG_SIZE) causes.push(tooLarge(''));
  return causes;
}

const REQUIRED_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

/** Validates a Secret whose `stringData` has been merged into `data`. */
export function validateSecret(secret: Secret): StatusCause[] {
  const causes = keyCauses('data', secret.data);
  let size = 0;
  for (const value of Object.values(secret.data ?? {})) size += base64Size(value);
  if (size > MAX_CONFIG_SIZE) causes.push(tooLarge('data'));
  const data = secret.data ?? {};
  for (const key of REQUIRED_KEYS[secret.type ?? ''] ?? []) if (!(key in data)) causes.push(required(`data[${key}]`));
  if (secret.type === 'kubernetes.io/basic-auth' && !('username' in data) && !('password' in data))
    causes.push(required('data[username]'), required('data[password]'));
  if (secret.type === 'kubernetes.io/dockerconfigjson' && '.dockerconfigjson' in data) {
    try {
      JSON.parse(Buffer.from(data['.dockerconfigjson'] ?? '', 'base64').toString('utf8'));
    } catch (err) {
      causes.push(invalidValue('data[.dockerconfigjson]', '<secret contents redacted>', (err as Error).message));
    }
  }
  return causes;
}

const IMMUTABLE = 'field is immutable when `immutable` is set';

/** The update rules of an immutable ConfigMap or Secret, and a Secret's immutable type. */
export function validateConfigUpdate(next: ConfigMap | Secret, old: ConfigMap | Secret, kind: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (old.immutable === true) {
    if (next.immutable !== true) causes.push(forbidden('immutable', IMMUTABLE));
    if (!deepEqual(next.data ?? {}, old.data ?? {})) causes.push(forbidden('data', IMMUTABLE));
    if (kind === 'ConfigMap' && !deepEqual((next as ConfigMap).binaryData ?? {}, (old as ConfigMap).binaryData ?? {}))
      causes.push(forbidden('binaryData', IMMUTABLE));
  }
  if (kind === 'Secret' && (next as Secret).type !== (old as Secret).type)
    causes.push(invalidValue('type', (next as Secret).type ?? '', 'field is immutable'));
  return causes;
}

/** Merges a Secret's write-only `stringData` into base64 `data` (stringData wins) and defaults `type` to Opaque. */
export function defaultSecret(secret: Secret): void {
  secret.type ||= 'Opaque';
  if (secret.stringData) {
    secret.data = { ...(secret.data ?? {}) };
    for (const [k, v] of Object.entries(secret.stringData)) secret.data[k] = Buffer.from(v, 'utf8').toString('base64');
    delete secret.stringData;
  }
}
