/**
 * The pod spec's references to ConfigMaps and Secrets, validated as ValidatePodSpec
 * words it: env[].valueFrom (one source; configMapKeyRef/secretKeyRef with a name and a
 * valid key), envFrom (one of configMapRef/secretRef, a valid prefix), and configMap/
 * secret volumes (a name, items with a valid key and a relative path, modes in 0..0777).
 */
import type { StatusCause } from './errors.js';
import { invalidEach, invalidValue, required } from './field-errors.js';
import { isDNS1123Subdomain } from './names.js';
import type { Container } from './types.js';
import { isConfigMapKey } from './validate-config.js';

type Rec = Record<string, unknown>;

const MODE_MESSAGE = 'must be a number between 0 and 0777 (octal), both inclusive';
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const ENV_NAME_MESSAGE =
  "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')";

function validateKeySelector(ref: Rec, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!ref.name) causes.push(required(`${path}.name`));
  if (!ref.key) causes.push(required(`${path}.key`));
  else causes.push(...invalidEach(`${path}.key`, ref.key, isConfigMapKey(String(ref.key))));
  return causes;
}

/** env[].valueFrom of one container. */
export function validateEnvSources(env: Container['env'], path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  (env ?? []).forEach((e, i) => {
    const vf = e.valueFrom as Rec | undefined;
    if (!vf) return;
    const at = `${path}[${i}].valueFrom`;
    const set = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((k) => vf[k] != null);
    if (set.length === 0)
      causes.push(
        invalidValue(
          at,
          '',
          'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
        ),
      );
    else if (set.length > 1) causes.push(invalidValue(at, '', 'may not have more than one field specified at a time'));
    if (e.value) causes.push(invalidValue(at, '', 'may not be specified when `value` is not empty'));
    for (const k of ['configMapKeyRef', 'secretKeyRef'])
      if (vf[k] && typeof vf[k] === 'object') causes.push(...validateKeySelector(vf[k] as Rec, `${at}.${k}`));
  });
  return causes;
}

/** envFrom of one container. */
export function validateEnvFrom(envFrom: unknown, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  ((envFrom as Rec[] | undefined) ?? []).forEach((f, i) => {
    const at = `${path}[${i}]`;
    if (f.prefix && !ENV_NAME.test(String(f.prefix)))
      causes.push(invalidValue(`${at}.prefix`, f.prefix, ENV_NAME_MESSAGE));
    const set = ['configMapRef', 'secretRef'].filter((k) => f[k] != null);
    if (set.length === 0) causes.push(invalidValue(at, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (set.length > 1) causes.push(invalidValue(at, '', 'may not have more than one field specified at a time'));
    for (const k of set) {
      const name = (f[k] as Rec).name;
      if (!name) causes.push(required(`${at}.${k}.name`));
      else causes.push(...invalidEach(`${at}.${k}.name`, name, isDNS1123Subdomain(String(name))));
    }
  });
  return causes;
}

function validateMode(mode: unknown, path: string): StatusCause[] {
  if (mode === undefined || mode === null) return [];
  return typeof mode === 'number' && mode >= 0 && mode <= 0o777 ? [] : [invalidValue(path, mode, MODE_MESSAGE)];
}

/** A configMap or secret volume source at `path` (`spec.volumes[i].configMap`). */
export function validateConfigVolume(kind: 'configMap' | 'secret', src: Rec, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const nameField = kind === 'configMap' ? 'name' : 'secretName';
  if (!src[nameField]) causes.push(required(`${path}.${nameField}`));
  causes.push(...validateMode(src.defaultMode, `${path}.defaultMode`));
  ((src.items as Rec[] | undefined) ?? []).forEach((item, i) => {
    const at = `${path}.items[${i}]`;
    if (!item.key) causes.push(required(`${at}.key`));
    const p = String(item.path ?? '');
    if (!p) causes.push(required(`${at}.path`));
    else if (p.startsWith('/')) causes.push(invalidValue(`${at}.path`, p, 'must be a relative path'));
    else if (p.split('/').includes('..')) causes.push(invalidValue(`${at}.path`, p, "must not contain '..'"));
    else if (p.startsWith('..')) causes.push(invalidValue(`${at}.path`, p, "must not start with '..'"));
    causes.push(...validateMode(item.mode, `${at}.mode`));
  });
  return causes;
}
