import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseEnv } from './var-spec.js';
import {
  bool,
  duration,
  hostPort,
  hostPortList,
  int,
  number,
  oneOf,
  port,
  portList,
  string,
  urlList,
} from './var-types.js';

/** The ConfigError `read` throws, or a failure when it throws none. */
function errorOf(read: () => unknown): ConfigError {
  try {
    read();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('no ConfigError thrown');
}

describe('parseEnv', () => {
  const schema = {
    name: string({ env: 'TEST_X_NAME', required: true, meaning: 'a name' }),
    count: int({ env: 'TEST_X_COUNT', min: 1, max: 5, default: 1, meaning: 'a count' }),
    extra: string({ env: 'TEST_X_EXTRA', meaning: 'optional' }),
  };

  it('reads a typed object with defaults for unset variables', () => {
    const c = parseEnv(schema, { TEST_X_NAME: 'a' });
    expect(c).toEqual({ name: 'a', count: 1, extra: undefined });
    expect(parseEnv(schema, { TEST_X_NAME: 'a', TEST_X_COUNT: '3', TEST_X_EXTRA: 'e' })).toEqual({
      name: 'a',
      count: 3,
      extra: 'e',
    });
  });

  it('treats an empty string as unset: the default applies and a required variable is missing', () => {
    expect(parseEnv(schema, { TEST_X_NAME: 'a', TEST_X_COUNT: '', TEST_X_EXTRA: '' })).toEqual({
      name: 'a',
      count: 1,
      extra: undefined,
    });
    const err = errorOf(() => parseEnv(schema, { TEST_X_NAME: '' }));
    expect(err.variable).toBe('TEST_X_NAME');
    expect(err.message).toBe('TEST_X_NAME is required (string)');
  });

  it('names the variable, the expected form and the value in its error', () => {
    const err = errorOf(() => parseEnv(schema, { TEST_X_NAME: 'a', TEST_X_COUNT: '9' }));
    expect(err.code).toBe('Config');
    expect(err.variable).toBe('TEST_X_COUNT');
    expect(err.message).toBe('TEST_X_COUNT must be integer 1-5, got "9"');
  });
});

describe('variable types', () => {
  const read = <T>(spec: { read(raw: string | undefined): T }, raw: string | undefined) => spec.read(raw);

  it('int refuses NaN, decimals, exponents, hex and junk', () => {
    const spec = int({ env: 'TEST_I', min: 0, meaning: '' });
    expect(read(spec, '42')).toBe(42);
    expect(read(spec, ' 7 ')).toBe(7);
    for (const bad of ['NaN', '1.5', '1e3', '0x10', 'ten', '-1', 'Infinity', '12abc'])
      expect(errorOf(() => read(spec, bad)).message).toMatch(/^TEST_I must be integer ≥ 0, got /);
  });

  it('number takes decimals within its range', () => {
    const spec = number({ env: 'TEST_N', min: 0, meaning: '' });
    expect(read(spec, '0.3')).toBe(0.3);
    expect(read(spec, undefined)).toBeUndefined();
    expect(errorOf(() => read(spec, '-0.5')).variable).toBe('TEST_N');
    expect(errorOf(() => read(spec, 'NaN')).variable).toBe('TEST_N');
  });

  it('port takes 1-65535', () => {
    const spec = port({ env: 'TEST_P', default: 80, meaning: '' });
    expect(read(spec, '65535')).toBe(65535);
    expect(read(spec, undefined)).toBe(80);
    for (const bad of ['0', '65536', 'http', '80.5'])
      expect(errorOf(() => read(spec, bad)).message).toContain('must be port 1-65535');
  });

  it('portList drops duplicates and refuses a bad member', () => {
    const spec = portList({ env: 'TEST_PL', meaning: '' });
    expect(read(spec, '8080, 9090,8080')).toEqual([8080, 9090]);
    expect(errorOf(() => read(spec, '8080,x')).variable).toBe('TEST_PL');
  });

  it('duration reads the unit of the variable as milliseconds', () => {
    const secs = duration({ env: 'TEST_D_SECONDS', unit: 'seconds', positive: true, default: 10_000, meaning: '' });
    expect(read(secs, '0.5')).toBe(500);
    expect(read(secs, undefined)).toBe(10_000);
    expect(secs.defaultText).toBe('10');
    expect(errorOf(() => read(secs, '0')).message).toBe('TEST_D_SECONDS must be seconds > 0, got "0"');
    const ms = duration({ env: 'TEST_D_MS', unit: 'ms', default: 30_000, meaning: '' });
    expect(read(ms, '0')).toBe(0);
    expect(read(ms, '250')).toBe(250);
    expect(errorOf(() => read(ms, '5s')).message).toBe('TEST_D_MS must be milliseconds ≥ 0, got "5s"');
  });

  it('bool takes true/false, 1/0 and yes/no, nothing else', () => {
    const spec = bool({ env: 'TEST_B', default: true, meaning: '' });
    expect(read(spec, 'false')).toBe(false);
    expect(read(spec, '1')).toBe(true);
    expect(read(spec, 'NO')).toBe(false);
    expect(read(spec, '')).toBe(true);
    expect(errorOf(() => read(spec, 'off')).message).toBe('TEST_B must be true or false, got "off"');
  });

  it('oneOf takes one of its words', () => {
    const spec = oneOf(['a', 'b'])({ env: 'TEST_E', default: 'a', meaning: '' });
    expect(read(spec, 'b')).toBe('b');
    expect(errorOf(() => read(spec, 'c')).message).toBe('TEST_E must be one of a, b, got "c"');
  });

  it('urlList takes comma-separated URLs of its protocols', () => {
    const spec = urlList({ env: 'TEST_U', protocols: ['nats:'], meaning: '' });
    expect(read(spec, 'nats://a:4222, nats://b:4222')).toEqual(['nats://a:4222', 'nats://b:4222']);
    expect(errorOf(() => read(spec, 'http://a:4222')).variable).toBe('TEST_U');
    expect(errorOf(() => read(spec, 'a:4222')).variable).toBe('TEST_U');
    expect(errorOf(() => read(spec, ',')).variable).toBe('TEST_U');
  });

  it('hostPort and hostPortList take HOST:PORT', () => {
    expect(read(hostPort({ env: 'TEST_H', meaning: '' }), '10.0.0.1:53')).toEqual({ host: '10.0.0.1', port: 53 });
    expect(errorOf(() => read(hostPort({ env: 'TEST_H', meaning: '' }), '10.0.0.1')).message).toBe(
      'TEST_H must be HOST:PORT, got "10.0.0.1"',
    );
    const list = hostPortList({ env: 'TEST_HL', meaning: '' });
    expect(read(list, '127.0.0.1:6443,10.0.0.1:6443')).toEqual(['127.0.0.1:6443', '10.0.0.1:6443']);
    expect(errorOf(() => read(list, '127.0.0.1:6443,nope')).variable).toBe('TEST_HL');
  });

  it('string may check its value and show another form', () => {
    const spec = string({ env: 'TEST_S', form: 'lower-case word', check: (v) => /^[a-z]+$/.test(v), meaning: '' });
    expect(read(spec, 'abc')).toBe('abc');
    expect(errorOf(() => read(spec, 'ABC')).message).toBe('TEST_S must be lower-case word, got "ABC"');
  });
});
