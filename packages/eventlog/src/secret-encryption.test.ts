import type { KubeObject } from '@kemu/api';
import { randomBytes } from 'node:crypto';
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@kemu/log';
import type { LogEvent } from './envelope.js';
import { applyEvent, createView } from './projection.js';
import {
  ENCRYPTED_FIELD,
  SecretDecryptError,
  createSecretCipher,
  loadOrCreateEncryptionKey,
  openSealedObjects,
} from './secret-encryption.js';

const event = (resource: string, object: Record<string, unknown>): LogEvent => ({
  v: 1,
  type: 'Put',
  key: { resource, namespace: 'default', name: 'db' },
  uid: 'u',
  time: '2026-01-01T00:00:00Z',
  actor: { component: 'apiserver' },
  object: { apiVersion: 'v1', metadata: { name: 'db', namespace: 'default' }, ...object } as KubeObject,
});

describe('secret encryption', () => {
  const key = randomBytes(32);
  const cipher = createSecretCipher(key);

  it('replaces a Secret’s data by aesgcm ciphertext with the k8s:enc prefix and opens it again', () => {
    const plain = event('secrets', { kind: 'Secret', type: 'Opaque', data: { password: 'czNjcjN0' } });
    const sealed = cipher.seal(plain);
    const stored = sealed.object as Record<string, unknown>;
    expect(stored.data).toBeUndefined();
    expect(String(stored[ENCRYPTED_FIELD])).toMatch(/^k8s:enc:aesgcm:v1:key1:[A-Za-z0-9+/=]+$/);
    expect(JSON.stringify(stored)).not.toContain('czNjcjN0');
    expect(stored.type).toBe('Opaque');
    expect(cipher.open(sealed).object).toEqual(plain.object);
  });

  it('leaves other resources alone', () => {
    const cm = event('configmaps', { kind: 'ConfigMap', data: { a: 'b' } });
    expect(cipher.seal(cm)).toBe(cm);
  });

  it('refuses a ciphertext moved to another Secret or opened with another key', () => {
    const sealed = cipher.seal(event('secrets', { kind: 'Secret', data: { a: 'Yg==' } }));
    const moved = { ...sealed, key: { ...sealed.key, name: 'other' } };
    expect(() => cipher.open(moved)).toThrow(SecretDecryptError);
    expect(() => createSecretCipher(randomBytes(32)).open(sealed)).toThrow(SecretDecryptError);
  });

  it('creates the key file with mode 0600 once and reads the same key afterwards', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'kemu-key-')), 'pki', 'encryption-key');
    const first = loadOrCreateEncryptionKey(path);
    expect(first.length).toBe(32);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(loadOrCreateEncryptionKey(path).equals(first)).toBe(true);
  });
});

describe('openSealedObjects', () => {
  it('decrypts the sealed Secrets of a view that came from a snapshot written without the key', () => {
    const cipher = createSecretCipher(randomBytes(32));
    const plain = event('secrets', { kind: 'Secret', data: { a: 'Yg==' } });
    const view = createView();
    applyEvent(view, 1, cipher.seal(plain));
    applyEvent(view, 2, event('configmaps', { kind: 'ConfigMap', data: { a: 'b' } }));
    openSealedObjects(view, cipher, createLogger({ component: 'test', level: 'silent' }));
    expect(view.objects.get('secrets/default/db')).toMatchObject({ data: { a: 'Yg==' } });
    expect(view.objects.get('secrets/default/db')).not.toHaveProperty(ENCRYPTED_FIELD);
    expect(view.objects.get('configmaps/default/db')).toMatchObject({ data: { a: 'b' } });
  });
});
