/**
 * Environment variable specs. Each names its variable, the form a value must take, its
 * default and its meaning in one line (the reference in docs/configuration.md is made
 * from these), and reads a raw value into a typed one.
 *
 * One rule for empty strings: a variable set to '' counts as unset — its default
 * applies, a required one is missing — so `X=` in a shell or a compose file never means
 * "the empty value", and no caller chooses between `??` and `||`.
 */
import { ConfigError } from './config-error.js';

/** One environment variable: how to read it and how to document it. */
export interface VarSpec<T> {
  readonly env: string;
  /** The form a value takes, as the reference and errors show it ("integer 1-5"). */
  readonly form: string;
  /** What the variable means, one line. */
  readonly meaning: string;
  /** The default as the reference shows it; undefined when there is none. */
  readonly defaultText: string | undefined;
  readonly required: boolean;
  /** Reads the raw value (undefined and '' are unset); throws ConfigError. */
  read(raw: string | undefined): T;
}

/** What every spec is given. */
export interface SpecOptions {
  env: string;
  meaning: string;
  /** The default as the reference shows it, when it is computed by the config module (no `default`). */
  defaultText?: string;
  /** Overrides the form the reference shows. */
  form?: string;
}

/** Makes specs of one type: with a default, required, or optional (undefined when unset). */
export interface SpecBuilder<T, O = object> {
  (options: SpecOptions & O & { default: T }): VarSpec<T>;
  (options: SpecOptions & O & { required: true }): VarSpec<T>;
  (options: SpecOptions & O): VarSpec<T | undefined>;
}

/** Parses a non-empty raw value; undefined means "not of the form" (the error names the form). */
export type RawParser<T, O> = (raw: string, options: O & SpecOptions) => T | undefined;

/** Builds a SpecBuilder from a form, a parser and a formatter for the default. */
export function specBuilder<T, O = object>(
  form: (options: O) => string,
  parse: RawParser<T, O>,
  show: (value: T, options: O) => string = (v) => String(v),
): SpecBuilder<T, O> {
  return ((options: SpecOptions & O & { default?: T; required?: boolean }) => {
    const shownForm = options.form ?? form(options);
    const hasDefault = 'default' in options && options.default !== undefined;
    const required = options.required === true;
    return {
      env: options.env,
      form: shownForm,
      meaning: options.meaning,
      defaultText: hasDefault ? show(options.default as T, options) : options.defaultText,
      required,
      read(raw: string | undefined): T | undefined {
        if (raw === undefined || raw === '') {
          if (required) throw new ConfigError(options.env, `${options.env} is required (${shownForm})`);
          return options.default;
        }
        const value = parse(raw, options);
        if (value === undefined)
          throw new ConfigError(options.env, `${options.env} must be ${shownForm}, got ${JSON.stringify(raw)}`);
        return value;
      },
    };
  }) as SpecBuilder<T, O>;
}

/** A schema: config field name → variable spec. */
export type Schema = Readonly<Record<string, VarSpec<unknown>>>;

/** The typed object a schema reads to. */
export type ConfigOf<S extends Schema> = { -readonly [K in keyof S]: S[K] extends VarSpec<infer T> ? T : never };

/** Reads every variable of `schema` from `env`; throws a ConfigError naming the first bad one. */
export function parseEnv<S extends Schema>(schema: S, env: NodeJS.ProcessEnv): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) out[key] = spec.read(env[spec.env]);
  return out as ConfigOf<S>;
}
