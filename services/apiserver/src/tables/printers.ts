/** Which printer prints which resource; kinds without one get the generic Name / Created At table. */
import { configMapPrinter, secretPrinter } from './config-table.js';
import { cronJobPrinter, daemonSetPrinter, jobPrinter } from './batch-table.js';
import { endpointSlicePrinter } from './endpointslice-table.js';
import { endpointsPrinter } from './endpoints-table.js';
import { eventPrinter } from './event-table.js';
import { ipAddressPrinter } from './ipaddress-table.js';
import { leasePrinter } from './lease-table.js';
import { namespacePrinter } from './namespace-table.js';
import { createNodePrinter } from './node-table.js';
import { podPrinter } from './pod-table.js';
import { roleBindingPrinter, serviceAccountPrinter } from './rbac-table.js';
import { servicePrinter } from './service-table.js';
import { column, nameColumn, type Printer } from './table.js';
import { controllerRevisionPrinter, statefulSetPrinter } from './statefulset-table.js';
import { deploymentPrinter, replicaSetPrinter } from './workload-table.js';

/** The generic printer the apiserver uses for kinds without a printer of their own. */
export const fallbackPrinter: Printer = {
  columns: [
    nameColumn,
    column(
      'Created At',
      'CreationTimestamp is a timestamp representing the server time when this object was created.',
      { type: 'date' },
    ),
  ],
  cells(object) {
    return [object.metadata.name, object.metadata.creationTimestamp ?? ''];
  },
};

/** Returns the printer for a resource; `serverVersion` fills a node's Version when it reports none. */
export function printerFor(resource: string, serverVersion: string): Printer {
  switch (resource) {
    case 'pods':
      return podPrinter;
    case 'services':
      return servicePrinter;
    case 'endpoints':
      return endpointsPrinter;
    case 'endpointslices':
      return endpointSlicePrinter;
    case 'namespaces':
      return namespacePrinter;
    case 'nodes':
      return createNodePrinter(serverVersion);
    case 'events':
      return eventPrinter;
    case 'deployments':
      return deploymentPrinter;
    case 'replicasets':
      return replicaSetPrinter;
    case 'statefulsets':
      return statefulSetPrinter;
    case 'controllerrevisions':
      return controllerRevisionPrinter;
    case 'daemonsets':
      return daemonSetPrinter;
    case 'jobs':
      return jobPrinter;
    case 'cronjobs':
      return cronJobPrinter;
    case 'ipaddresses':
      return ipAddressPrinter;
    case 'leases':
      return leasePrinter;
    case 'configmaps':
      return configMapPrinter;
    case 'secrets':
      return secretPrinter;
    case 'rolebindings':
    case 'clusterrolebindings':
      return roleBindingPrinter;
    case 'serviceaccounts':
      return serviceAccountPrinter;
    default:
      return fallbackPrinter;
  }
}
