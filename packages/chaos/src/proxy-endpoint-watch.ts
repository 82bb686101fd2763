/**
 * Polls every node's proxy debug endpoint (`http://<node underlay IP>:10249/endpoints`,
 * reached from the host through its veth into the underlay) and keeps, per node, when
 * each endpoint of the probed Service was last seen and first missing, so the report
 * can say when a killed pod's endpoint left each proxy.
 */
import { request } from 'node:http';
import type { NodeLayout } from '@kemu/netns';

/** kube-proxy's port of the debug endpoint. */
export const PROXY_DEBUG_PORT = 10249;

interface Sample {
  at: number;
  /** `ip:port` endpoints of the watched service port(s). */
  endpoints: Set<string>;
}

/** A running watch. */
export interface ProxyEndpointWatch {
  /** When `ip` was first missing from `node`'s proxy at or after `sinceMs` (undefined: never seen missing). */
  leftAt(node: string, ip: string, sinceMs: number): number | undefined;
  /** Node names that answered at least once. */
  nodesSeen(): string[];
  stop(): Promise<void>;
}

function getJson(host: string, port: number, path: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (err) {
          reject(err);
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Starts polling every `intervalMs` the endpoints of service ports named `<namespace>/<service>[:port]`. */
export function watchProxyEndpoints(options: {
  nodes: readonly NodeLayout[];
  namespace: string;
  service: string;
  intervalMs?: number;
  /** Called when an endpoint (`ip:port`) seen on a node's proxy is missing from its next answer. */
  onLeft?: (node: string, endpoint: string, at: number) => void;
}): ProxyEndpointWatch {
  const samples = new Map<string, Sample[]>();
  const prefix = `${options.namespace}/${options.service}`;
  let stopped = false;
  const loops = options.nodes.map(async (n) => {
    const list: Sample[] = [];
    samples.set(n.name, list);
    while (!stopped) {
      const at = Date.now();
      try {
        const reply = (await getJson(n.ip, PROXY_DEBUG_PORT, '/endpoints', 500)) as {
          servicePorts?: { servicePort: string; endpoints: string[] }[];
        };
        const endpoints = new Set<string>();
        for (const sp of reply.servicePorts ?? []) {
          if (sp.servicePort === prefix || sp.servicePort.startsWith(`${prefix}:`)) {
            for (const ep of sp.endpoints) endpoints.add(ep);
          }
        }
        const prev = list[list.length - 1];
        list.push({ at, endpoints });
        for (const ep of prev?.endpoints ?? []) if (!endpoints.has(ep)) options.onLeft?.(n.name, ep, at);
      } catch {
        // The proxy is down or partitioned: no sample.
      }
      await new Promise((r) => setTimeout(r, Math.max(0, at + (options.intervalMs ?? 100) - Date.now())));
    }
  });
  const hasIp = (s: Sample, ip: string) => [...s.endpoints].some((ep) => ep.startsWith(`${ip}:`));
  return {
    leftAt(node, ip, sinceMs) {
      const first = (samples.get(node) ?? []).find((s) => s.at >= sinceMs && !hasIp(s, ip));
      return first?.at;
    },
    nodesSeen: () => [...samples].filter(([, l]) => l.length > 0).map(([n]) => n),
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}
