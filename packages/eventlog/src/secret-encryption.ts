/**
 * Encryption at rest of Secrets in the event log, as kube-apiserver's
 * EncryptionConfiguration with the aesgcm provider does it: a Secret's `data` is stored
 * as `k8s:enc:aesgcm:v1:<keyName>:` followed by base64(nonce ‖ ciphertext ‖ tag), with the
 * object's key as authenticated data (a ciphertext cannot be moved to another Secret).
 * The metadata stays readable so every process can still list and key the object. Only
 * the writers and readers given the cipher (apiserver, node-agent) see plaintext; any
 * other reader (controller, `kemu events`, replay) sees the ciphertext field instead.
 */
import type { KubeObject } from '@kemu/api';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '@kemu/log';
import type { LogEvent } from './envelope.js';
import type { View } from './projection.js';

/** The field that holds a Secret's encrypted data in the stored object. */
export const ENCRYPTED_FIELD = 'encryptedData';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** A failure to decrypt a stored Secret (wrong key, tampered ciphertext). */
export class SecretDecryptError extends Error {
  readonly code = 'SecretDecryptError';
  override readonly name = 'SecretDecryptError';
}

/** Encrypts Secrets on the way into the log and decrypts them on the way out. */
export interface SecretCipher {
  /** The event as stored: a Secret's data replaced by its ciphertext; other events unchanged. */
  seal(event: LogEvent): LogEvent;
  /** The event as read: a sealed Secret's data decrypted; other events unchanged. */
  open(event: LogEvent): LogEvent;
}

/** An AES-256-GCM cipher with a named key (the `key1` of an EncryptionConfiguration). */
export function createSecretCipher(key: Buffer, keyName = 'key1'): SecretCipher {
  if (key.length !== 32) throw new RangeError('the encryption key must be 32 bytes');
  const prefix = `k8s:enc:aesgcm:v1:${keyName}:`;
  const aad = (e: LogEvent) => Buffer.from(`/secrets/${e.key.namespace}/${e.key.name}`);

  function seal(event: LogEvent): LogEvent {
    if (event.key.resource !== 'secrets') return event;
    const { data, stringData: _s, ...rest } = event.object as KubeObject & { data?: unknown; stringData?: unknown };
    const nonce = randomBytes(NONCE_BYTES);
    const c = createCipheriv('aes-256-gcm', key, nonce);
    c.setAAD(aad(event));
    const body = Buffer.concat([c.update(JSON.stringify(data ?? {}), 'utf8'), c.final(), c.getAuthTag()]);
    const sealed = Buffer.concat([nonce, body]).toString('base64');
    return { ...event, object: { ...rest, [ENCRYPTED_FIELD]: prefix + sealed } as KubeObject };
  }

  function open(event: LogEvent): LogEvent {
    const value = (event.object as Record<string, unknown>)[ENCRYPTED_FIELD];
    if (event.key.resource !== 'secrets' || typeof value !== 'string') return event;
    if (!value.startsWith(prefix))
      throw new SecretDecryptError(`no key for ${value.slice(0, value.indexOf(':', 18) + 1)}`);
    const raw = Buffer.from(value.slice(prefix.length), 'base64');
    const nonce = raw.subarray(0, NONCE_BYTES);
    const tag = raw.subarray(raw.length - TAG_BYTES);
    const d = createDecipheriv('aes-256-gcm', key, nonce);
    d.setAAD(aad(event));
    d.setAuthTag(tag);
    let plain: string;
    try {
      plain = Buffer.concat([d.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)), d.final()]).toString('utf8');
    } catch (err) {
      throw new SecretDecryptError(`secret ${event.key.namespace}/${event.key.name} does not decrypt`, { cause: err });
    }
    const { [ENCRYPTED_FIELD]: _e, ...rest } = event.object as Record<string, unknown>;
    const data = JSON.parse(plain) as Record<string, string>;
    const object = (Object.keys(data).length > 0 ? { ...rest, data } : rest) as KubeObject;
    return { ...event, object };
  }

  return { seal, open };
}

/** Reads the cluster's 32-byte key (base64) from `path`, creating it with mode 0600 when absent. */
export function loadOrCreateEncryptionKey(path: string): Buffer {
  try {
    return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
}

/** Decrypts the sealed Secrets of a view that started from a snapshot (written by a process without the key). */
export function openSealedObjects(view: View, cipher: SecretCipher, log: Logger): void {
  for (const [k, object] of view.objects) {
    if (!k.startsWith('secrets/') || !(ENCRYPTED_FIELD in object)) continue;
    const key = { resource: 'secrets', namespace: object.metadata.namespace ?? '', name: object.metadata.name };
    const base = { v: 1, type: 'Put', key, uid: '', time: '', actor: { component: '' }, object } as LogEvent;
    try {
      view.objects.set(k, cipher.open(base).object);
    } catch (err) {
      log.error({ err, key: k }, 'secret in snapshot does not decrypt');
    }
  }
}
