import { endpointSlice, node, pod, service } from '@kemu/testkit';
import { describe, expect, it } from 'vitest';
import { summarize } from './summaries.js';

describe('summarize', () => {
  it('keeps what the page shows of a pod: node, phase, readiness and why, role', () => {
    const p = pod('web-1', {
      node: 'node-1',
      ip: '10.244.1.5',
      status: {
        phase: 'Running',
        podIP: '10.244.1.5',
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'ContainersNotReady',
            message: 'containers with unready status: [web]',
          },
        ],
      },
    });
    expect(summarize('pods', p)).toMatchObject({
      key: 'pods/default/web-1',
      node: 'node-1',
      phase: 'Running',
      ready: false,
      readyReason: 'ContainersNotReady: containers with unready status: [web]',
      ip: '10.244.1.5',
      role: 'workload',
    });
    const proxy = pod('kube-proxy-node-1', { namespace: 'kube-system', labels: { 'k8s-app': 'kube-proxy' } });
    expect(summarize('pods', proxy)).toMatchObject({ role: 'proxy', ready: true });
  });

  it('keeps nodes, Services and EndpointSlice entries with their conditions', () => {
    expect(summarize('nodes', node('node-1', { ip: '10.0.0.2' }))).toMatchObject({
      key: 'nodes//node-1',
      ready: true,
      ip: '10.0.0.2',
    });
    expect(summarize('services', service('web', { spec: { clusterIP: '10.96.0.20' } }))).toMatchObject({
      clusterIP: '10.96.0.20',
      selector: { app: 'web' },
      ports: [{ port: 80, targetPort: '8080', protocol: 'TCP' }],
    });
    const slice = endpointSlice('web', {
      metadata: { resourceVersion: '42' },
      endpoints: [{ ip: '10.244.1.5', ready: false, serving: true, terminating: true, nodeName: 'node-1' }],
    });
    expect(summarize('endpointslices', slice)).toMatchObject({
      service: 'web',
      resourceVersion: '42',
      endpoints: [{ ip: '10.244.1.5', ready: false, serving: true, terminating: true, node: 'node-1' }],
    });
    expect(summarize('configmaps', slice)).toBeUndefined();
  });
});
