/**
 * ClusterIP allocation through IPAddress objects (networking.k8s.io/v1, cluster-scoped,
 * named by the IP), as Kubernetes' MultiCIDRServiceAllocator records them. Creating the
 * IPAddress is a compare-and-set against the address's subject (expected = the view's
 * last sequence for it, tombstones included), so two apiservers can never hand out the
 * same address: the loser gets a conflict and picks again (or reports "already allocated"
 * for a requested address). A controller elsewhere removes IPAddresses whose Service is gone.
 */
import { type IPAddress, type Ipv4Cidr, type KubeObject, formatCidr, type ObjectKey, keyString } from '@kemu/api';
import { ConflictError, type Informer, type ObjectWriter, expectedSeq, getObject } from '@kemu/eventlog';
import type { Logger } from '@kemu/log';
import { randomUUID } from 'node:crypto';
import { inRange, pickDynamicIp, reservedIps } from './service-cidr.js';
import { rfc3339 } from '../verbs/timestamps.js';

/** The Service an address belongs to. */
export interface IpOwner {
  namespace: string;
  name: string;
}

/** Why an address could not be allocated; `code` is what callers branch on. */
export class IpAllocationError extends Error {
  override name = 'IpAllocationError';
  constructor(
    readonly code: 'NotInRange' | 'AlreadyAllocated' | 'RangeFull',
    readonly ip: string,
    message: string,
  ) {
    super(message);
  }
}

/** Allocates and releases ClusterIPs. */
export interface ClusterIpAllocator {
  readonly cidr: Ipv4Cidr;
  /** Allocates `requested` (or a free dynamic address when undefined) for `owner`; returns the address. */
  allocate(owner: IpOwner, requested?: string): Promise<string>;
  /** Removes the address's IPAddress if `owner` holds it; failures are logged, not thrown. */
  release(ip: string, owner: IpOwner): Promise<void>;
}

/** What the allocator needs. */
export interface ClusterIpAllocatorOptions {
  cidr: Ipv4Cidr;
  informer: Informer;
  writer: ObjectWriter;
  log: Logger;
  clock?: () => number;
  random?: () => number;
}

function ipKey(ip: string): ObjectKey {
  return { resource: 'ipaddresses', namespace: '', name: ip };
}

function ownedBy(obj: KubeObject | undefined, owner: IpOwner): boolean {
  const ref = (obj as IPAddress | undefined)?.spec?.parentRef;
  return (
    ref?.resource === 'services' && ref.group === '' && ref.namespace === owner.namespace && ref.name === owner.name
  );
}

/** Creates an allocator over `cidr`. */
export function createClusterIpAllocator(options: ClusterIpAllocatorOptions): ClusterIpAllocator {
  const { cidr, informer, writer, log } = options;
  const clock = options.clock ?? Date.now;
  const reserved = reservedIps(cidr);

  function ipAddressObject(ip: string, owner: IpOwner): IPAddress {
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IPAddress',
      metadata: {
        name: ip,
        uid: randomUUID(),
        creationTimestamp: rfc3339(clock()),
        generation: 1,
        labels: {
          'ipaddress.kubernetes.io/ip-family': 'IPv4',
          'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io',
        },
      },
      spec: { parentRef: { group: '', resource: 'services', namespace: owner.namespace, name: owner.name } },
    };
  }

  /** Claims `ip` with compare-and-set; false when someone else holds it. */
  async function claim(ip: string, owner: IpOwner): Promise<boolean> {
    const key = ipKey(ip);
    const existing = getObject(informer.view, key);
    if (existing) return ownedBy(existing, owner);
    try {
      await writer.put(key, ipAddressObject(ip, owner), expectedSeq(informer.view, key));
      return true;
    } catch (err) {
      if (err instanceof ConflictError) return ownedBy(getObject(informer.view, key), owner);
      throw err;
    }
  }

  async function allocate(owner: IpOwner, requested?: string): Promise<string> {
    const ownerName = `${owner.namespace}/${owner.name}`;
    if (requested !== undefined) {
      if (!inRange(cidr, requested)) {
        throw new IpAllocationError(
          'NotInRange',
          requested,
          `provided IP is not in the valid range. The range of valid IPs is ${formatCidr(cidr)}`,
        );
      }
      const holder = reserved.get(requested);
      if ((holder !== undefined && holder !== ownerName) || !(await claim(requested, owner))) {
        throw new IpAllocationError('AlreadyAllocated', requested, 'provided IP is already allocated');
      }
      return requested;
    }
    for (let attempt = 0; attempt < 16; attempt++) {
      const ip = pickDynamicIp(cidr, (x) => informer.view.objects.has(keyString(ipKey(x))), options.random);
      if (ip === undefined) break;
      if (await claim(ip, owner)) return ip;
      log.debug({ ip, attempt }, 'cluster IP taken concurrently, picking again');
    }
    throw new IpAllocationError('RangeFull', '', 'range is full');
  }

  async function release(ip: string, owner: IpOwner): Promise<void> {
    const key = ipKey(ip);
    const existing = getObject(informer.view, key);
    if (!existing || !ownedBy(existing, owner)) return;
    try {
      await writer.remove(key, existing, Number(existing.metadata.resourceVersion));
    } catch (err) {
      log.warn({ err, ip, service: `${owner.namespace}/${owner.name}` }, 'cluster IP release failed');
    }
  }

  return { cidr, allocate, release };
}
