/** The variable types every component uses: strings, numbers, ports, durations, flags, enums, lists. */
import { specBuilder, type SpecBuilder } from './var-spec.js';

/** Range options of a number. */
export interface RangeOptions {
  min?: number;
  max?: number;
}

function rangeText(kind: string, o: RangeOptions): string {
  if (o.min !== undefined && o.max !== undefined) return `${kind} ${o.min}-${o.max}`;
  if (o.min !== undefined) return `${kind} ≥ ${o.min}`;
  if (o.max !== undefined) return `${kind} ≤ ${o.max}`;
  return kind;
}

function inRange(n: number, o: RangeOptions): boolean {
  return (o.min === undefined || n >= o.min) && (o.max === undefined || n <= o.max);
}

/** A decimal number written plainly (no hex, exponent, Infinity or spaces). */
function plainNumber(raw: string): number | undefined {
  return /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw.trim()) : undefined;
}

/** Any non-empty string, optionally checked. */
export const string: SpecBuilder<string, { check?: (value: string) => boolean }> = specBuilder(
  () => 'string',
  (raw, o) => (o.check === undefined || o.check(raw) ? raw : undefined),
);

/** A whole number, optionally within a range. */
export const int: SpecBuilder<number, RangeOptions> = specBuilder(
  (o) => rangeText('integer', o),
  (raw, o) => {
    const n = plainNumber(raw);
    return n !== undefined && Number.isInteger(n) && inRange(n, o) ? n : undefined;
  },
);

/** A decimal number, optionally within a range. */
export const number: SpecBuilder<number, RangeOptions> = specBuilder(
  (o) => rangeText('number', o),
  (raw, o) => {
    const n = plainNumber(raw);
    return n !== undefined && inRange(n, o) ? n : undefined;
  },
);

/** A TCP/UDP port, 1-65535. */
export const port: SpecBuilder<number> = specBuilder(
  () => 'port 1-65535',
  (raw) => {
    const n = plainNumber(raw);
    return n !== undefined && Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
  },
);

/** Options of a duration: the unit the variable is written in, and whether 0 is allowed. */
export interface DurationOptions {
  unit: 'seconds' | 'ms';
  /** 0 is refused (default: allowed). */
  positive?: boolean;
}

/** A duration written as a number in the variable's unit (…_SECONDS, …_MS); read as milliseconds. */
export const duration: SpecBuilder<number, DurationOptions> = specBuilder(
  (o) => `${o.unit === 'seconds' ? 'seconds' : 'milliseconds'} ${o.positive ? '> 0' : '≥ 0'}`,
  (raw, o) => {
    const n = plainNumber(raw);
    if (n === undefined || n < 0 || (o.positive && n === 0)) return undefined;
    return o.unit === 'seconds' ? n * 1000 : n;
  },
  (ms, o) => String(o.unit === 'seconds' ? ms / 1000 : ms),
);

/** true or false (also 1/0, yes/no). */
export const bool: SpecBuilder<boolean> = specBuilder(
  () => 'true or false',
  (raw) => {
    const v = raw.trim().toLowerCase();
    if (v === 'true' || v === '1' || v === 'yes') return true;
    if (v === 'false' || v === '0' || v === 'no') return false;
    return undefined;
  },
);

/** One of a fixed set of words. */
export function oneOf<const V extends string>(values: readonly V[]): SpecBuilder<V> {
  return specBuilder(
    () => `one of ${values.join(', ')}`,
    (raw) => ((values as readonly string[]).includes(raw) ? (raw as V) : undefined),
  );
}

/** A comma-separated list of URLs with one of the given protocols, e.g. `nats://a:4222,nats://b:4222`. */
export const urlList: SpecBuilder<string[], { protocols: readonly string[] }> = specBuilder(
  (o) => `comma-separated ${o.protocols.map((p) => `${p}//HOST:PORT`).join(' or ')} URLs`,
  (raw, o) => {
    const urls = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const ok = urls.every((u) => {
      try {
        const url = new URL(u);
        return o.protocols.includes(url.protocol) && url.hostname !== '';
      } catch {
        return false;
      }
    });
    return ok && urls.length > 0 ? urls : undefined;
  },
  (urls) => urls.join(','),
);

/** A host and a port. */
export interface HostPort {
  host: string;
  port: number;
}

/** Parses `HOST:PORT` (the port after the last colon); undefined when it is not one. */
export function parseHostPort(text: string): HostPort | undefined {
  const i = text.lastIndexOf(':');
  if (i <= 0) return undefined;
  const p = plainNumber(text.slice(i + 1));
  if (p === undefined || !Number.isInteger(p) || p < 1 || p > 65535) return undefined;
  return { host: text.slice(0, i), port: p };
}

/** `HOST:PORT`. */
export const hostPort: SpecBuilder<HostPort> = specBuilder(
  () => 'HOST:PORT',
  (raw) => parseHostPort(raw.trim()),
  (hp) => `${hp.host}:${hp.port}`,
);

/** A comma-separated list of `HOST:PORT`, kept as written. */
export const hostPortList: SpecBuilder<string[]> = specBuilder(
  () => 'comma-separated HOST:PORT',
  (raw) => {
    const list = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    return list.length > 0 && list.every((a) => parseHostPort(a) !== undefined) ? list : undefined;
  },
  (list) => list.join(','),
);

/** A comma-separated list of ports, duplicates dropped, e.g. `8080,9090`. */
export const portList: SpecBuilder<number[]> = specBuilder(
  () => 'comma-separated ports 1-65535',
  (raw) => {
    const parts = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const ports = parts.map((s) => plainNumber(s));
    if (ports.length === 0 || ports.some((p) => p === undefined || !Number.isInteger(p) || p < 1 || p > 65535))
      return undefined;
    return [...new Set(ports as number[])];
  },
  (ports) => ports.join(','),
);
