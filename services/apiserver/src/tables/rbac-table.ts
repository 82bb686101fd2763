/**
 * RBAC and ServiceAccount rows as kubectl's printers compute them: roles print Name and
 * Created At; bindings Name, Role (`Kind/name`), Age and, wide, Users, Groups and
 * ServiceAccounts (`namespace/name`); ServiceAccounts Name, Secrets, Age.
 */
import type { KubeObject, RoleBinding, ServiceAccount } from '@kemu/api';
import { ageSince } from './human-duration.js';
import { ageColumn, column, nameColumn, type Printer } from './table.js';

/** The RoleBinding and ClusterRoleBinding printer. */
export const roleBindingPrinter: Printer = {
  columns: [
    nameColumn,
    column('Role', 'Role of the binding'),
    ageColumn,
    column('Users', 'Users in the binding', { priority: 1 }),
    column('Groups', 'Groups in the binding', { priority: 1 }),
    column('ServiceAccounts', 'ServiceAccounts in the binding', { priority: 1 }),
  ],
  cells(object: KubeObject, now: number): unknown[] {
    const b = object as RoleBinding;
    const of = (kind: string) =>
      (b.subjects ?? [])
        .filter((s) => s.kind === kind)
        .map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name))
        .join(', ');
    return [
      b.metadata.name,
      `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`,
      ageSince(b.metadata.creationTimestamp, now),
      of('User'),
      of('Group'),
      of('ServiceAccount'),
    ];
  },
};

/** The ServiceAccount printer. */
export const serviceAccountPrinter: Printer = {
  columns: [nameColumn, column('Secrets', 'Secrets of the service account', { type: 'integer' }), ageColumn],
  cells(object: KubeObject, now: number): unknown[] {
    const sa = object as ServiceAccount;
    return [sa.metadata.name, (sa.secrets ?? []).length, ageSince(sa.metadata.creationTimestamp, now)];
  },
};
