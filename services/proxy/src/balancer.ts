/**
 * The userspace proxier's load balancer (kubernetes pkg/proxy/userspace/roundrobin.go):
 * per service port a shuffled endpoint list walked round robin, reshuffled and restarted
 * at index 0 whenever the endpoint set changes, with optional ClientIP stickiness that
 * expires `timeoutSeconds` after its last use. Pure: the clock and the RNG are injected.
 */
import { MissingEndpointsError, UnknownServicePortError } from './errors.js';

/** Default ClientIP affinity timeout (v1.DefaultClientIPServiceAffinitySeconds, "3 hours"). */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10_800;

/** A service port's session affinity as the Service spec states it. */
export interface AffinityPolicy {
  type: 'None' | 'ClientIP';
  /** Seconds a sticky entry lives after its last use; 0 or absent means the default. */
  timeoutSeconds?: number;
}

/**
 * A client's IP, or a function that reads it: the balancer calls it only when the
 * service port has ClientIP affinity, so a TCP listener never asks the kernel for the
 * peer address of a connection that does not need it.
 */
export type ClientIP = string | (() => string);

/** Options of a balancer; the defaults are the real clock and Math.random. */
export interface BalancerOptions {
  now?: () => number;
  random?: () => number;
}

/** Round-robin endpoint selection with ClientIP affinity, keyed by ServicePortName. */
export interface RoundRobinBalancer {
  /** Registers a service port or changes its affinity; a changed policy forgets sticky entries. */
  setService(servicePort: string, affinity: AffinityPolicy): void;
  /** Replaces the endpoints (`ip:port`); a changed set is shuffled and the index reset. */
  onEndpointsUpdate(servicePort: string, endpoints: readonly string[]): void;
  /** Picks the endpoint for a new connection from `clientIP`; throws MissingEndpointsError when there is none. */
  nextEndpoint(servicePort: string, clientIP: ClientIP, sessionAffinityReset: boolean): string;
  /** nextEndpoint, also saying whether the client's sticky entry chose it. */
  pick(servicePort: string, clientIP: ClientIP, sessionAffinityReset: boolean): BalancerPick;
  /** The current (shuffled) endpoint list of a service port. */
  endpoints(servicePort: string): readonly string[];
  /** How many clients are stuck to an endpoint of the service port. */
  stickySessions(servicePort: string): number;
  deleteService(servicePort: string): void;
  /** Drops sticky entries that have outlived their timeout. */
  cleanupStaleStickySessions(): void;
}

/** One pick with its reason. */
export interface BalancerPick {
  endpoint: string;
  /** True when ClientIP affinity chose it (an unexpired sticky entry), false for the round-robin turn. */
  sticky: boolean;
}

interface Sticky {
  endpoint: string;
  lastUsed: number;
}

interface BalancerState {
  endpoints: string[];
  index: number;
  affinityType: AffinityPolicy['type'];
  ttlMs: number;
  affinity: Map<string, Sticky>;
}

/** Creates a balancer. */
export function createRoundRobinBalancer(options: BalancerOptions = {}): RoundRobinBalancer {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const states = new Map<string, BalancerState>();

  function shuffle(items: readonly string[]): string[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const t = out[i] as string;
      out[i] = out[j] as string;
      out[j] = t;
    }
    return out;
  }

  function ttlMsOf(affinity: AffinityPolicy): number {
    const s =
      affinity.timeoutSeconds && affinity.timeoutSeconds > 0
        ? affinity.timeoutSeconds
        : DEFAULT_AFFINITY_TIMEOUT_SECONDS;
    return s * 1000;
  }

  function stateOf(servicePort: string): BalancerState {
    const s = states.get(servicePort);
    if (!s) throw new UnknownServicePortError(servicePort);
    return s;
  }

  const balancer: RoundRobinBalancer = {
    setService(servicePort, affinity) {
      const ttlMs = ttlMsOf(affinity);
      const s = states.get(servicePort);
      if (!s) {
        states.set(servicePort, { endpoints: [], index: 0, affinityType: affinity.type, ttlMs, affinity: new Map() });
        return;
      }
      if (s.affinityType !== affinity.type || s.ttlMs !== ttlMs) {
        s.affinityType = affinity.type;
        s.ttlMs = ttlMs;
        s.affinity.clear();
      }
    },

    onEndpointsUpdate(servicePort, endpoints) {
      const s = stateOf(servicePort);
      if (sameSet(s.endpoints, endpoints)) return;
      if (endpoints.length === 0) {
        s.affinity.clear();
      } else {
        const keep = new Set(endpoints);
        for (const [ip, sticky] of s.affinity) if (!keep.has(sticky.endpoint)) s.affinity.delete(ip);
      }
      s.endpoints = shuffle(endpoints);
      s.index = 0;
    },

    nextEndpoint(servicePort, clientIP, sessionAffinityReset) {
      return balancer.pick(servicePort, clientIP, sessionAffinityReset).endpoint;
    },

    pick(servicePort, clientIPOf, sessionAffinityReset) {
      const s = stateOf(servicePort);
      if (s.endpoints.length === 0) throw new MissingEndpointsError(servicePort);
      if (s.affinityType !== 'ClientIP') return { endpoint: nextTurn(s), sticky: false };
      const clientIP = typeof clientIPOf === 'string' ? clientIPOf : clientIPOf();
      const t = now();
      if (!sessionAffinityReset) {
        const entry = s.affinity.get(clientIP);
        if (entry && t - entry.lastUsed < s.ttlMs) {
          entry.lastUsed = t;
          return { endpoint: entry.endpoint, sticky: true };
        }
      }
      const endpoint = nextTurn(s);
      s.affinity.set(clientIP, { endpoint, lastUsed: t });
      return { endpoint, sticky: false };
    },

    endpoints(servicePort) {
      return states.get(servicePort)?.endpoints ?? [];
    },

    stickySessions(servicePort) {
      return states.get(servicePort)?.affinity.size ?? 0;
    },

    deleteService(servicePort) {
      states.delete(servicePort);
    },

    cleanupStaleStickySessions() {
      const t = now();
      for (const s of states.values()) {
        for (const [ip, entry] of s.affinity) if (t - entry.lastUsed >= s.ttlMs) s.affinity.delete(ip);
      }
    },
  };
  return balancer;
}

/** The endpoint whose round-robin turn it is; advances the turn. */
function nextTurn(s: BalancerState): string {
  const endpoint = s.endpoints[s.index] as string;
  s.index = (s.index + 1) % s.endpoints.length;
  return endpoint;
}

function sameSet(current: readonly string[], next: readonly string[]): boolean {
  if (current.length !== next.length) return false;
  const a = current.slice().sort();
  const b = next.slice().sort();
  return a.every((v, i) => v === b[i]);
}
