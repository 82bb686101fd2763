/**
 * The object type of each resource kemu serves, keyed by its plural name: the map that
 * types the informer's handlers and listers, so `listObjects(view, 'pods')` is a Pod[]
 * without a cast. A resource added to the table in resources.ts gets its entry here.
 */
import type {
  Deployment,
  Endpoints,
  EndpointSlice,
  Event,
  IPAddress,
  Lease,
  Namespace,
  Node,
  Pod,
  ReplicaSet,
  Service,
} from './types.js';

/** Resource name → object type, for every resource in the event log. */
export interface ResourceTypes {
  pods: Pod;
  services: Service;
  deployments: Deployment;
  replicasets: ReplicaSet;
  endpoints: Endpoints;
  namespaces: Namespace;
  nodes: Node;
  events: Event;
  endpointslices: EndpointSlice;
  ipaddresses: IPAddress;
  leases: Lease;
}

/** The plural name of a resource kemu serves: `pods`, `endpointslices`. */
export type ResourceName = keyof ResourceTypes;

/** The key of one object of resource `R`. */
export interface TypedKey<R extends ResourceName = ResourceName> {
  resource: R;
  namespace: string;
  name: string;
}
