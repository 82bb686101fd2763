/**
 * The ClusterIPs on the node netns's `lo`, as /32 addresses, so that connections to a
 * ClusterIP are local and reach the proxy's listener (or get RST when none listens).
 * Only addresses inside the service CIDR are managed; any other address (loopback in
 * tests) is taken to be local already and left alone. Changes go through one
 * `ip -force -batch -` call per sync, and adding uses `addr replace`, so both are
 * idempotent.
 */
import { execFile } from 'node:child_process';
import { cidrContains, parseCidr } from '@kemu/api';
import { AddressCommandError } from './errors.js';

/** The /32 ClusterIPs of one device. */
export interface LoopbackAddresses {
  /** The managed addresses present now. */
  list(): Promise<string[]>;
  add(ips: readonly string[]): Promise<void>;
  remove(ips: readonly string[]): Promise<void>;
  /** Whether `ip` is an address this manager adds and removes. */
  manages(ip: string): boolean;
}

/** Where the addresses live. */
export interface LoopbackAddressesOptions {
  /** Service CIDR, e.g. `10.96.0.0/12`; an invalid one throws InvalidCidrError. */
  serviceCIDR: string;
  device?: string;
  /** Run `ip` against this named netns (`ip -n`) instead of the current one. */
  netns?: string;
}

const NOT_PRESENT = /Address not found|Cannot assign requested address/;

function runIp(args: readonly string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile('ip', args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Creates the manager for the service CIDR's addresses on `lo` (or `device`). */
export function createLoopbackAddresses(options: LoopbackAddressesOptions): LoopbackAddresses {
  const device = options.device ?? 'lo';
  const serviceCidr = parseCidr(options.serviceCIDR, { what: 'service CIDR' });
  const manages = (ip: string) => cidrContains(serviceCidr, ip);
  const prefix = options.netns ? ['-n', options.netns] : [];

  async function batch(lines: string[], tolerate?: RegExp): Promise<void> {
    if (lines.length === 0) return;
    const args = [...prefix, '-force', '-batch', '-'];
    const r = await runIp(args, `${lines.join('\n')}\n`);
    if (r.code === 0) return;
    const real = r.stderr.split('\n').filter((l) => l.trim() && !/^Command failed/.test(l) && !tolerate?.test(l));
    if (real.length > 0) throw new AddressCommandError(args, real.join('\n'));
  }

  return {
    manages,
    async list() {
      const args = [...prefix, '-j', '-4', 'addr', 'show', 'dev', device];
      const r = await runIp(args);
      if (r.code !== 0) throw new AddressCommandError(args, r.stderr);
      const links = JSON.parse(r.stdout || '[]') as { addr_info?: { local?: string; prefixlen?: number }[] }[];
      const out: string[] = [];
      for (const link of links) {
        for (const a of link.addr_info ?? []) if (a.local && a.prefixlen === 32 && manages(a.local)) out.push(a.local);
      }
      return out;
    },
    add(ips) {
      return batch(ips.filter(manages).map((ip) => `addr replace ${ip}/32 dev ${device}`));
    },
    remove(ips) {
      return batch(
        ips.filter(manages).map((ip) => `addr del ${ip}/32 dev ${device}`),
        NOT_PRESENT,
      );
    },
  };
}
