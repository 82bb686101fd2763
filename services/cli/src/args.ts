/**
 * A small hand-written argument parser: `kemu <command> [flags] [positionals] [-- rest]`.
 * Flags are declared per command (value or boolean), accept `--flag value` and
 * `--flag=value`, and anything unknown is a UsageError instead of being guessed at.
 */
import { UsageError } from './errors.js';

/** Declaration of one flag. */
export interface FlagSpec {
  /** Long name without dashes, e.g. `nodes`. */
  name: string;
  /** Optional one-letter alias without dash, e.g. `n`. */
  short?: string;
  /** True when the flag takes a value. */
  value: boolean;
}

/** Declares a flag that takes a value (`--name value` or `--name=value`), with an optional one-letter alias. */
export function valueFlagSpec(name: string, short?: string): FlagSpec {
  return short === undefined ? { name, value: true } : { name, short, value: true };
}

/** Declares a boolean flag (given or not), with an optional one-letter alias. */
export function boolFlagSpec(name: string, short?: string): FlagSpec {
  return short === undefined ? { name, value: false } : { name, short, value: false };
}

/** Result of parsing the words after the command name. */
export interface ParsedArgs {
  flags: Map<string, string | true>;
  positionals: string[];
  /** Words after a literal `--`. */
  rest: string[];
}

/** Parses `argv` against the declared flags; throws UsageError for unknown flags or missing values. */
export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  let rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === '--') {
      rest = argv.slice(i + 1);
      break;
    }
    if (!word.startsWith('-') || word === '-') {
      positionals.push(word);
      continue;
    }
    const eq = word.indexOf('=');
    const rawName = eq >= 0 ? word.slice(0, eq) : word;
    const spec = rawName.startsWith('--')
      ? specs.find((s) => s.name === rawName.slice(2))
      : specs.find((s) => s.short === rawName.slice(1));
    if (!spec) throw new UsageError(`unknown flag: ${rawName}`);
    if (!spec.value) {
      if (eq >= 0) throw new UsageError(`flag ${rawName} takes no value`);
      flags.set(spec.name, true);
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = word.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined || value === '') throw new UsageError(`flag needs an argument: ${rawName}`);
    flags.set(spec.name, value);
  }
  return { flags, positionals, rest };
}

/** Returns a string flag's value, or undefined when absent. */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

/** Returns an integer flag's value within [min, max], the default when absent; UsageError otherwise. */
export function intFlag(args: ParsedArgs, name: string, def: number, min: number, max: number): number {
  const v = stringFlag(args, name);
  if (v === undefined) return def;
  if (!/^\d+$/.test(v)) throw new UsageError(`invalid value "${v}" for --${name}: must be an integer`);
  const n = Number(v);
  if (n < min || n > max) throw new UsageError(`invalid value ${n} for --${name}: must be between ${min} and ${max}`);
  return n;
}

/** Tells whether a boolean flag was given. */
export function boolFlag(args: ParsedArgs, name: string): boolean {
  return args.flags.get(name) === true;
}
