/** Builders of desired states for the nftables tests. */
import type { DesiredServicePort } from '../../desired-state.js';
import type { ServicePortInfo } from '../../service-tracker.js';

/** One desired service port `default/<name>:<portName>` (or unnamed when portName is ''). */
export function desiredPort(
  name: string,
  clusterIP: string,
  port: number,
  endpoints: string[],
  info: Partial<ServicePortInfo> & { portName?: string } = {},
): [string, DesiredServicePort] {
  const { portName = 'http', ...rest } = info;
  const namespace = rest.namespace ?? 'default';
  const servicePort = portName ? `${namespace}/${name}:${portName}` : `${namespace}/${name}`;
  return [
    servicePort,
    {
      info: {
        servicePort,
        namespace,
        name,
        clusterIP,
        port,
        protocol: 'TCP',
        targetPort: 8080,
        sessionAffinity: 'None',
        timeoutSeconds: 10_800,
        internalTrafficPolicy: 'Cluster',
        ...rest,
      },
      endpoints,
    },
  ];
}

/** A desired state from service ports. */
export function desiredState(...ports: [string, DesiredServicePort][]): Map<string, DesiredServicePort> {
  return new Map(ports);
}
