import type { Service } from '@kemu/api';
import { describe, expect, it } from 'vitest';
import { serviceEnvVars } from './service-env.js';

const svc = (namespace: string, name: string, clusterIP: string, ports: Service['spec']['ports']): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace },
  spec: { clusterIP, ports },
});

describe('serviceEnvVars', () => {
  const services = [
    svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]),
    svc('shop', 'foo-bar', '10.96.0.20', [
      { name: 'http', port: 80 },
      { name: 'https', port: 443 },
    ]),
    svc('shop', 'headless', 'None', [{ port: 80 }]),
    svc('other', 'elsewhere', '10.96.0.30', [{ port: 80 }]),
  ];

  it('sets the kubelet variables for services in the namespace and the master service', () => {
    const env = serviceEnvVars(services, 'shop');
    expect(env).toMatchObject({
      FOO_BAR_SERVICE_HOST: '10.96.0.20',
      FOO_BAR_SERVICE_PORT: '80',
      FOO_BAR_SERVICE_PORT_HTTP: '80',
      FOO_BAR_SERVICE_PORT_HTTPS: '443',
      FOO_BAR_PORT: 'tcp://10.96.0.20:80',
      FOO_BAR_PORT_80_TCP: 'tcp://10.96.0.20:80',
      FOO_BAR_PORT_80_TCP_PROTO: 'tcp',
      FOO_BAR_PORT_80_TCP_PORT: '80',
      FOO_BAR_PORT_80_TCP_ADDR: '10.96.0.20',
      FOO_BAR_PORT_443_TCP_ADDR: '10.96.0.20',
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_SERVICE_PORT_HTTPS: '443',
      KUBERNETES_PORT: 'tcp://10.96.0.1:443',
    });
    expect(Object.keys(env).some((k) => k.startsWith('HEADLESS') || k.startsWith('ELSEWHERE'))).toBe(false);
    expect(Object.keys(env)).toHaveLength(21);
  });

  it('keeps only the master service when enableServiceLinks is false', () => {
    expect(Object.keys(serviceEnvVars(services, 'shop', false)).every((k) => k.startsWith('KUBERNETES_'))).toBe(true);
  });
});
