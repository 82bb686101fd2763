import { describe, expect, it } from 'vitest';
import { defaultObject } from './defaults.js';
import { checkDecodable, illegalBase64At } from './unknown-fields.js';
import type { ConfigMap, Secret } from './types.js';
import { isConfigMapKey, MAX_CONFIG_SIZE } from './validate-config.js';
import { validateObject } from './validation.js';

const cm = (extra: Partial<ConfigMap>): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'c', namespace: 'default' },
  ...extra,
});
const secret = (extra: Partial<Secret>): Secret =>
  defaultObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, ...extra });

describe('ConfigMap and Secret validation', () => {
  it('accepts config keys of letters, digits, -, _ and . and refuses others as IsConfigMapKey does', () => {
    expect(isConfigMapKey('app.properties')).toEqual([]);
    expect(isConfigMapKey('KEY_name-1')).toEqual([]);
    expect(isConfigMapKey('a b')[0]).toMatch(/^a valid config key must consist of alphanumeric characters/);
    expect(isConfigMapKey('..')).toEqual(["must not be '..'"]);
    expect(isConfigMapKey('..x')).toEqual(["must not start with '..'"]);
    expect(isConfigMapKey('x'.repeat(254))).toContain('must be no more than 253 characters');
  });

  it('refuses a key in both data and binaryData and more than 1 MiB in total', () => {
    const causes = validateObject(cm({ data: { a: 'x' }, binaryData: { a: 'eA==' } }));
    expect(causes.map((c) => [c.field, c.message])).toEqual([
      ['data[a]', 'Invalid value: "a": duplicate of key present in binaryData'],
      ['binaryData[a]', 'Invalid value: "a": duplicate of key present in data'],
    ]);
    const big = validateObject(cm({ data: { a: 'x'.repeat(MAX_CONFIG_SIZE + 1) } }));
    expect(big).toEqual([
      { reason: 'FieldValueTooLong', message: 'Too long: may not be more than 1048576 bytes', field: '' },
    ]);
  });

  it('merges stringData into base64 data (stringData wins) and defaults the type to Opaque', () => {
    const s = secret({ data: { a: Buffer.from('old').toString('base64') }, stringData: { a: 'new', b: 'x' } });
    expect(s.type).toBe('Opaque');
    expect(s.stringData).toBeUndefined();
    expect(s.data).toEqual({ a: Buffer.from('new').toString('base64'), b: Buffer.from('x').toString('base64') });
  });

  it('requires tls.crt and tls.key of a kubernetes.io/tls Secret', () => {
    const causes = validateObject(secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } }));
    expect(causes).toEqual([{ reason: 'FieldValueRequired', message: 'Required value', field: 'data[tls.key]' }]);
  });

  it('refuses changing the data or un-setting immutable of an immutable object, and a Secret type change', () => {
    const old = cm({ data: { a: '1' }, immutable: true });
    expect(validateObject(cm({ data: { a: '1' }, immutable: true }), old)).toEqual([]);
    expect(
      validateObject(cm({ data: { a: '2' }, immutable: true }), old).map((c) => `${c.field}: ${c.message}`),
    ).toEqual(['data: Forbidden: field is immutable when `immutable` is set']);
    expect(validateObject(cm({ data: { a: '1' } }), old).map((c) => c.field)).toEqual(['immutable']);
    const typed = validateObject(secret({ type: 'example.com/x' }), secret({}));
    expect(typed.map((c) => `${c.field}: ${c.message}`)).toEqual([
      'type: Invalid value: "example.com/x": field is immutable',
    ]);
  });
});

describe('pod references to ConfigMaps and Secrets', () => {
  const podWith = (container: Record<string, unknown>, volumes: unknown[] = []) =>
    defaultObject({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'busybox', ...container }], volumes },
    } as never);
  const messages = (obj: unknown) => validateObject(obj as never).map((c) => `${c.field}: ${c.message}`);

  it('accepts well-formed env, envFrom and volumes', () => {
    const pod = podWith(
      {
        env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cm', key: 'a' } } }],
        envFrom: [{ prefix: 'CFG_', secretRef: { name: 's' } }],
        volumeMounts: [{ name: 'v', mountPath: '/etc/v' }],
      },
      [{ name: 'v', configMap: { name: 'cm', defaultMode: 0o644, items: [{ key: 'a', path: 'dir/a' }] } }],
    );
    expect(messages(pod)).toEqual([]);
  });

  it('refuses refs without a key, envFrom with two sources and volume items escaping their directory', () => {
    const pod = podWith(
      {
        env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 's' } } }],
        envFrom: [{ configMapRef: { name: 'cm' }, secretRef: { name: 's' } }],
      },
      [{ name: 'v', secret: { secretName: 's', defaultMode: 0o1777, items: [{ key: 'a', path: '../a' }] } }],
    );
    expect(messages(pod)).toEqual([
      'spec.volumes[0].secret.defaultMode: Invalid value: 1023: must be a number between 0 and 0777 (octal), both inclusive',
      'spec.volumes[0].secret.items[0].path: Invalid value: "../a": must not contain \'..\'',
      'spec.containers[0].env[0].valueFrom.secretKeyRef.key: Required value',
      'spec.containers[0].envFrom[0]: Invalid value: "": may not have more than one field specified at a time',
    ]);
  });
});

describe('decoding base64 data', () => {
  it('refuses Secret data that is not base64 with Go decoder’s message, and accepts valid base64', () => {
    const body = (data: Record<string, string>) =>
      ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data }) as never;
    expect(() => checkDecodable(body({ a: 'cGFzcw==' }), true)).not.toThrow();
    expect(() => checkDecodable(body({ a: 'not base64!' }), true)).toThrow(
      'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3',
    );
    expect(illegalBase64At('abc')).toBe(0);
    expect(illegalBase64At('ab=c')).toBe(2);
  });
});
