/** Service rows as printService computes them: Type, Cluster-IP, External-IP, Port(s), Age | Selector. */
import type { KubeObject, Service } from '@kemu/api';
import { ageSince } from './human-duration.js';
import { formatLabelMap } from './label-selector-string.js';
import { ageColumn, column, nameColumn, type Printer } from './table.js';

/** `80/TCP,443:30443/TCP`, as makePortString prints a Service's ports. */
export function servicePorts(service: Service): string {
  const text = (service.spec?.ports ?? [])
    .map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`))
    .join(',');
  return text === '' ? '<none>' : text;
}

/** The External-IP cell, as getServiceExternalIP computes it. */
export function serviceExternalIp(service: Service): string {
  const spec = service.spec ?? {};
  const externalIPs = (spec.externalIPs as string[] | undefined) ?? [];
  const type = spec.type ?? 'ClusterIP';
  if (type === 'ClusterIP' || type === 'NodePort') return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
  if (type === 'ExternalName') return spec.externalName ?? '';
  if (type === 'LoadBalancer') {
    const ingress = (service.status?.loadBalancer?.ingress as { ip?: string; hostname?: string }[] | undefined) ?? [];
    const lb = ingress.map((i) => i.ip || i.hostname || '').filter((x) => x !== '');
    const all = [...lb, ...externalIPs];
    return all.length > 0 ? all.join(',') : '<pending>';
  }
  return '<unknown>';
}

/** The Service printer. */
export const servicePrinter: Printer = {
  columns: [
    nameColumn,
    column('Type', 'type determines how the Service is exposed.'),
    column('Cluster-IP', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    column(
      'External-IP',
      'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.',
    ),
    column('Port(s)', 'The list of ports that are exposed by this service.'),
    ageColumn,
    column('Selector', 'Route service traffic to pods with label keys and values matching this selector.', {
      priority: 1,
    }),
  ],
  cells(object: KubeObject, now: number): unknown[] {
    const svc = object as Service;
    const spec = svc.spec ?? {};
    const clusterIp = spec.clusterIPs?.[0] ?? (spec.clusterIP || '<none>');
    return [
      svc.metadata.name,
      spec.type ?? 'ClusterIP',
      clusterIp,
      serviceExternalIp(svc),
      servicePorts(svc),
      ageSince(svc.metadata.creationTimestamp, now),
      formatLabelMap(spec.selector),
    ];
  },
};
