import { describe, expect, it } from 'vitest';
import { CHAOS_COMPONENT, faultEvent, readFaultEvent } from './fault-events.js';
import type { FaultRecord } from './fault-injectors.js';

const kill: FaultRecord = {
  id: 'f1',
  action: 'pod-kill',
  target: 'pod default/web-1',
  node: 'node-1',
  pod: { namespace: 'default', name: 'web-1', uid: 'u1', ip: '10.244.1.10' },
  startMs: Date.UTC(2026, 0, 1, 10, 0, 0, 250),
  log: { before: 41, start: 43 },
};

describe('faultEvent', () => {
  it('records a pod fault as a kemu-chaos Event on the pod that readFaultEvent reads back', () => {
    const e = faultEvent('kill-web', kill, 'ChaosInjected', kill.startMs);
    expect(e.involvedObject).toMatchObject({ kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'u1' });
    expect(e.reportingComponent).toBe(CHAOS_COMPONENT);
    expect(e.metadata.namespace).toBe('default');
    expect(e.eventTime).toBe('2026-01-01T10:00:00.250000Z');
    expect(readFaultEvent(e)).toMatchObject({
      id: 'f1',
      reason: 'ChaosInjected',
      pod: { ip: '10.244.1.10' },
      node: 'node-1',
      logBefore: 41,
      atMs: kill.startMs,
    });
  });

  it('names the killed component and the proxy that dropped an endpoint', () => {
    const c = faultEvent(
      'x',
      { ...kill, action: 'component-kill', target: 'proxy-node-2 (pid 7)', node: 'node-2', pod: undefined },
      'ChaosInjected',
      1,
    );
    expect(readFaultEvent(c)).toMatchObject({ component: 'proxy', node: 'node-2' });
    const paused = faultEvent(
      'x',
      { ...kill, action: 'pause', target: 'apiserver (pid 9)', node: undefined, pod: undefined },
      'ChaosInjected',
      1,
    );
    expect(readFaultEvent(paused)?.component).toBe('apiserver');
    expect(paused.involvedObject).toMatchObject({ kind: 'Node', name: 'control-plane' });
    expect(c.involvedObject).toMatchObject({ kind: 'Node', name: 'node-2' });
    const left = faultEvent('x', kill, 'ChaosEndpointLeftProxy', kill.startMs + 300, 'node-2');
    expect(left.message).toBe('endpoint 10.244.1.10 left the proxy on node-2 300 ms after pod-kill');
    expect(readFaultEvent(left)?.proxyNode).toBe('node-2');
  });

  it('reads nothing from other Events', () => {
    expect(readFaultEvent({ kind: 'Event', reportingComponent: 'kubelet' })).toBeUndefined();
    expect(
      readFaultEvent({
        kind: 'Event',
        reportingComponent: CHAOS_COMPONENT,
        metadata: { annotations: { 'chaos.kemu.dev/fault': '{' } },
      }),
    ).toBeUndefined();
  });
});
