/** Deployment and ReplicaSet rows as printDeployment and printReplicaSet compute them. */
import type { Container, Deployment, KubeObject, ReplicaSet } from '@kemu/api';
import { ageSince } from './human-duration.js';
import { formatLabelSelector } from './label-selector-string.js';
import { ageColumn, column, nameColumn, type Printer } from './table.js';

/** The Containers and Images cells of a pod template's containers. */
export function containerCells(containers: Container[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(','), list.map((c) => c.image).join(',')];
}

const wideColumns = [
  column('Containers', 'Names of each container in the template.', { priority: 1 }),
  column('Images', 'Images referenced by each container in the template.', { priority: 1 }),
  column(
    'Selector',
    'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.',
    { priority: 1 },
  ),
];

/** The Deployment printer: Name, Ready, Up-to-date, Available, Age | Containers, Images, Selector. */
export const deploymentPrinter: Printer = {
  columns: [
    nameColumn,
    column('Ready', 'Number of the pod with ready state'),
    column(
      'Up-to-date',
      'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
    ),
    column(
      'Available',
      'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
    ),
    ageColumn,
    ...wideColumns,
  ],
  cells(object: KubeObject, now: number): unknown[] {
    const d = object as Deployment;
    const desired = d.spec?.replicas ?? 1;
    const status = d.status ?? {};
    const [names, images] = containerCells(d.spec?.template?.spec?.containers);
    return [
      d.metadata.name,
      `${status.readyReplicas ?? 0}/${desired}`,
      status.updatedReplicas ?? 0,
      status.availableReplicas ?? 0,
      ageSince(d.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(d.spec?.selector),
    ];
  },
};

/** The ReplicaSet printer: Name, Desired, Current, Ready, Age | Containers, Images, Selector. */
export const replicaSetPrinter: Printer = {
  columns: [
    nameColumn,
    column('Desired', 'Number of desired pods.', { type: 'integer' }),
    column('Current', 'Number of actual pods.', { type: 'integer' }),
    column('Ready', 'Number of pods ready.', { type: 'integer' }),
    ageColumn,
    ...wideColumns,
  ],
  cells(object: KubeObject, now: number): unknown[] {
    const rs = object as ReplicaSet;
    const status = rs.status ?? {};
    const [names, images] = containerCells(rs.spec?.template?.spec?.containers);
    return [
      rs.metadata.name,
      rs.spec?.replicas ?? 1,
      status.replicas ?? 0,
      status.readyReplicas ?? 0,
      ageSince(rs.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(rs.spec?.selector),
    ];
  },
};
