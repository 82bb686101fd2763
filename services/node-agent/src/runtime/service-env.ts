/**
 * Service environment variables as the kubelet sets them (pkg/kubelet/envvars): for
 * every service with a ClusterIP in the pod's namespace (when enableServiceLinks), and
 * always for default/kubernetes. Fixed at container start.
 */
import type { Service } from '@kemu/api';

function envName(s: string): string {
  return s.toUpperCase().replaceAll('-', '_');
}

function hasClusterIP(s: Service): boolean {
  const ip = s.spec.clusterIP;
  return ip !== undefined && ip !== '' && ip !== 'None';
}

function varsFor(s: Service, out: Record<string, string>): void {
  const ip = s.spec.clusterIP as string;
  const name = envName(s.metadata.name);
  const ports = s.spec.ports ?? [];
  const first = ports[0];
  out[`${name}_SERVICE_HOST`] = ip;
  if (!first) return;
  out[`${name}_SERVICE_PORT`] = String(first.port);
  for (const p of ports) if (p.name) out[`${name}_SERVICE_PORT_${envName(p.name)}`] = String(p.port);
  const hostPort = (port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
  out[`${name}_PORT`] = `${(first.protocol ?? 'TCP').toLowerCase()}://${hostPort(first.port)}`;
  for (const p of ports) {
    const proto = p.protocol ?? 'TCP';
    const prefix = `${name}_PORT_${p.port}_${proto.toUpperCase()}`;
    out[prefix] = `${proto.toLowerCase()}://${hostPort(p.port)}`;
    out[`${prefix}_PROTO`] = proto.toLowerCase();
    out[`${prefix}_PORT`] = String(p.port);
    out[`${prefix}_ADDR`] = ip;
  }
}

/** Computes the service env vars for a pod in `namespace` from all services in the view. */
export function serviceEnvVars(
  services: readonly Service[],
  namespace: string,
  enableServiceLinks = true,
): Record<string, string> {
  const out: Record<string, string> = {};
  const chosen = services.filter(
    (s) =>
      hasClusterIP(s) &&
      ((enableServiceLinks && s.metadata.namespace === namespace) ||
        (s.metadata.namespace === 'default' && s.metadata.name === 'kubernetes')),
  );
  // Own-namespace services win over the master service when names collide.
  chosen.sort((a, b) => Number(a.metadata.namespace === namespace) - Number(b.metadata.namespace === namespace));
  for (const s of chosen) varsFor(s, out);
  return out;
}
