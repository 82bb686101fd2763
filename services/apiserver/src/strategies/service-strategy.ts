/**
 * Services: a status subresource whose create resets status to an empty load balancer,
 * and ClusterIP allocation, as the Service REST storage does it: allocated before the
 * object is written (so the POST reply shows the address) and released when the write
 * fails; kept on update when a client leaves it out; allocated or released when the type
 * changes to or from ExternalName; released after the Service is removed. An update of
 * `/status` keeps the stored spec but takes the request's labels and annotations, as
 * serviceStatusStrategy does (conformance patches an annotation through `/status`).
 */
import type { Service } from '@kemu/api';
import {
  assignClusterIp,
  dropTypeDependentFields,
  keepAllocatedValues,
  reassignClusterIp,
} from '../cluster-ip/service-cluster-ip.js';
import { mainUpdate, statusStrategy } from './default-strategy.js';
import type { ResourceStrategy } from './resource-strategy.js';

function ownerOf(svc: Service): { namespace: string; name: string } {
  return { namespace: svc.metadata.namespace ?? '', name: svc.metadata.name };
}

/** The strategy of services. */
export const serviceStrategy: ResourceStrategy = {
  ...statusStrategy,
  /** Served by proxy/proxy-handler.ts before routing (through a ready endpoint). */
  subresources: [{ name: 'proxy', kind: 'ServiceProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] }],
  prepareForCreate(obj) {
    obj.status = { loadBalancer: {} };
  },
  prepareForUpdate(current, input, target) {
    if (target !== 'status') return statusStrategy.prepareForUpdate(current, input, target);
    const next = mainUpdate(current, input, false);
    next.spec = structuredClone(current.spec);
    return next;
  },
  canonicalizeUpdate(next, current, target) {
    if (target !== 'main') return;
    dropTypeDependentFields(next as Service, current as Service);
    keepAllocatedValues(next as Service, current as Service);
  },
  async beginCreate(ctx, obj) {
    const allocated = await assignClusterIp(ctx.allocator, obj as Service);
    return async (stored) => {
      if (!stored && allocated) await ctx.allocator.release(allocated, ownerOf(obj as Service));
    };
  },
  async beginUpdate(ctx, next, current, target) {
    if (target !== 'main') return async () => {};
    const ips = await reassignClusterIp(ctx.allocator, next as Service, current as Service);
    const owner = ownerOf(current as Service);
    return async (stored) => {
      if (!stored && ips.allocated) await ctx.allocator.release(ips.allocated, owner);
      if (stored && ips.releaseAfter) await ctx.allocator.release(ips.releaseAfter, owner);
    };
  },
  async afterDelete(ctx, obj) {
    const ip = (obj as Service).spec?.clusterIP;
    if (ip && ip !== 'None') await ctx.allocator.release(ip, ownerOf(obj as Service));
  },
};
