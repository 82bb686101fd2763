/**
 * Runs wrk (Debian's package) inside a network namespace and reads its summary:
 * requests per second and latency percentiles.
 */
import { runCommand } from '../kemu-cluster.js';

/** What one wrk run measured. */
export interface WrkResult {
  requestsPerSecond: number;
  p50Micros: number;
  errors: number;
}

function toMicros(value: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(value.trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n : m[2] === 'ms' ? n * 1000 : n * 1_000_000;
}

/** Parses wrk's text output (with --latency). */
export function parseWrk(out: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const p50 = /^\s+50%\s+(\S+)/m.exec(out);
  const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const errors = (errs ? errs.slice(1).reduce((a, b) => a + Number(b), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0);
  return {
    requestsPerSecond: rps ? Number(rps[1]) : Number.NaN,
    p50Micros: p50 ? toMicros(p50[1] ?? '') : Number.NaN,
    errors,
  };
}

/** Runs wrk against `url` from inside `netns`. */
export async function runWrk(
  netns: string,
  url: string,
  options: { connections: number; seconds: number; close?: boolean },
): Promise<WrkResult> {
  const args = ['netns', 'exec', netns, 'wrk', '-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--latency'];
  if (options.close) args.push('-H', 'Connection: close');
  const r = await runCommand('ip', [...args, url], { timeoutMs: (options.seconds + 30) * 1000 });
  if (r.code !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  return parseWrk(r.stdout);
}

/** Downloads `bytes` from `url` with curl inside `netns`; returns bytes per second. */
export async function runBulk(netns: string, url: string): Promise<number> {
  const r = await runCommand(
    'ip',
    ['netns', 'exec', netns, 'curl', '-sS', '-o', '/dev/null', '-w', '%{speed_download}', url],
    {
      timeoutMs: 120_000,
    },
  );
  if (r.code !== 0) throw new Error(`curl ${url} in ${netns} failed (${r.code}): ${r.stderr}`);
  return Number(r.stdout.trim());
}
