/**
 * The command lines of Kubernetes' test images that the kemu workload serves, parsed
 * from the container's args: `registry.k8s.io/serve_hostname` (its hostname over HTTP on
 * 9376) and `registry.k8s.io/e2e-test-images/agnhost` with the subcommands the network
 * e2e tests use: `netexec [--http-port=8080] [--udp-port=8081] [--delay-shutdown=SECONDS]`, `serve-hostname [--tcp]
 * [--udp] [--http] [--port=9376]` and `pause`. Pure.
 */

/** What to run. */
export type AgnhostCommand =
  | { kind: 'netexec'; httpPort: number; udpPort: number; delayShutdownSeconds: number }
  | { kind: 'serve-hostname'; port: number; tcp: boolean; udp: boolean; http: boolean }
  | { kind: 'pause' }
  | { kind: 'unsupported'; subcommand: string };

function flags(args: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (!a.startsWith('-')) continue;
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    if (eq >= 0) out.set(body.slice(0, eq), body.slice(eq + 1));
    else if (args[i + 1] !== undefined && !(args[i + 1] as string).startsWith('-') && /port|delay/.test(body)) {
      out.set(body, args[i + 1] as string);
      i++;
    } else out.set(body, 'true');
  }
  return out;
}

const bool = (v: string | undefined) => v !== undefined && v !== 'false';
const num = (v: string | undefined, fallback: number) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : fallback);

/** The agnhost-like command of an image and its args; undefined for any other image. */
export function agnhostCommand(imageName: string, args: readonly string[]): AgnhostCommand | undefined {
  if (/(^|\/)serve_hostname$/.test(imageName))
    return { kind: 'serve-hostname', port: 9376, tcp: false, udp: false, http: true };
  if (!/(^|\/)agnhost$/.test(imageName)) return undefined;
  const [sub = 'pause', ...rest] = args;
  const f = flags(rest);
  if (sub === 'netexec') {
    return {
      kind: 'netexec',
      httpPort: num(f.get('http-port'), 8080),
      udpPort: num(f.get('udp-port'), 8081),
      delayShutdownSeconds: num(f.get('delay-shutdown'), 0),
    };
  }
  if (sub === 'serve-hostname') {
    const tcp = bool(f.get('tcp'));
    const udp = bool(f.get('udp'));
    const http = f.has('http') ? bool(f.get('http')) : !tcp && !udp;
    return { kind: 'serve-hostname', port: num(f.get('port'), 9376), tcp, udp, http };
  }
  if (sub === 'pause') return { kind: 'pause' };
  return { kind: 'unsupported', subcommand: sub };
}

/** How long the process may take to stop after SIGTERM: netexec's --delay-shutdown plus a moment to close. */
export function agnhostStopGraceMs(c: AgnhostCommand): number {
  return ((c.kind === 'netexec' ? c.delayShutdownSeconds : 0) + 5) * 1000;
}

/** The TCP ports a command listens on (what readiness waits for). */
export function agnhostTcpPorts(c: AgnhostCommand): number[] {
  if (c.kind === 'netexec') return [c.httpPort];
  if (c.kind === 'serve-hostname' && (c.http || c.tcp)) return [c.port];
  return [];
}
