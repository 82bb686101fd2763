import { describe, expect, it } from 'vitest';
import { intFlag, parseArgs, stringFlag, boolFlag, boolFlagSpec, valueFlagSpec } from './args.js';
import { UsageError } from './errors.js';

const specs = [valueFlagSpec('nodes'), valueFlagSpec('namespace', 'n'), boolFlagSpec('follow', 'f')];

describe('valueFlagSpec and boolFlagSpec', () => {
  it('declare value and boolean flags, with the alias only when given', () => {
    expect(specs).toEqual([
      { name: 'nodes', value: true },
      { name: 'namespace', short: 'n', value: true },
      { name: 'follow', short: 'f', value: false },
    ]);
    expect(boolFlagSpec('retain')).toStrictEqual({ name: 'retain', value: false });
  });
});

describe('parseArgs', () => {
  it('reads value flags in both spellings, booleans, positionals and the rest after --', () => {
    const a = parseArgs(['--nodes', '3', 'pod', '-n=kube-system', '-f', '--', 'curl', '-s', '--nodes'], specs);
    expect(stringFlag(a, 'nodes')).toBe('3');
    expect(stringFlag(a, 'namespace')).toBe('kube-system');
    expect(boolFlag(a, 'follow')).toBe(true);
    expect(a.positionals).toEqual(['pod']);
    expect(a.rest).toEqual(['curl', '-s', '--nodes']);
  });

  it('refuses unknown flags and missing values', () => {
    expect(() => parseArgs(['--bogus'], specs)).toThrow(UsageError);
    expect(() => parseArgs(['--nodes'], specs)).toThrow(/needs an argument: --nodes/);
    expect(() => parseArgs(['-f=1'], specs)).toThrow(/takes no value/);
  });
});

describe('intFlag', () => {
  it('returns the default, a valid value, or a UsageError', () => {
    expect(intFlag(parseArgs([], specs), 'nodes', 3, 1, 10)).toBe(3);
    expect(intFlag(parseArgs(['--nodes=5'], specs), 'nodes', 3, 1, 10)).toBe(5);
    expect(() => intFlag(parseArgs(['--nodes=x'], specs), 'nodes', 3, 1, 10)).toThrow(/must be an integer/);
    expect(() => intFlag(parseArgs(['--nodes=11'], specs), 'nodes', 3, 1, 10)).toThrow(/between 1 and 10/);
  });
});
