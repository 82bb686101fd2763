/** StatefulSet and ControllerRevision rows as printStatefulSet and printControllerRevision compute them. */
import type { ControllerRevision, KubeObject, StatefulSet } from '@kemu/api';
import { ageSince } from './human-duration.js';
import { ageColumn, column, nameColumn, type Printer } from './table.js';
import { containerCells } from './workload-table.js';

/** The StatefulSet printer: Name, Ready, Age | Containers, Images. */
export const statefulSetPrinter: Printer = {
  columns: [
    nameColumn,
    column('Ready', 'Number of the pod with ready state'),
    ageColumn,
    column('Containers', 'Names of each container in the template.', { priority: 1 }),
    column('Images', 'Images referenced by each container in the template.', { priority: 1 }),
  ],
  cells(object: KubeObject, now: number): unknown[] {
    const s = object as StatefulSet;
    const [names, images] = containerCells(s.spec?.template?.spec?.containers);
    return [
      s.metadata.name,
      `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 1}`,
      ageSince(s.metadata.creationTimestamp, now),
      names,
      images,
    ];
  },
};

/** `statefulset.apps/web`: the controller of a revision as formatResourceName prints it, or `<none>`. */
function controllerName(object: KubeObject): string {
  const ref = (object.metadata.ownerReferences ?? []).find((r) => r.controller);
  if (!ref) return '<none>';
  const slash = ref.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
  return `${(group ? `${ref.kind}.${group}` : ref.kind).toLowerCase()}/${ref.name}`;
}

/** The ControllerRevision printer: Name, Controller, Revision, Age. */
export const controllerRevisionPrinter: Printer = {
  columns: [
    nameColumn,
    column('Controller', 'Controller of the object'),
    column('Revision', 'Revision indicates the revision of the state represented by Data.'),
    ageColumn,
  ],
  cells(object: KubeObject, now: number): unknown[] {
    const r = object as ControllerRevision;
    return [r.metadata.name, controllerName(r), r.revision ?? 0, ageSince(r.metadata.creationTimestamp, now)];
  },
};
