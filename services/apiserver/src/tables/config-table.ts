/** ConfigMap rows (Name, Data, Age) and Secret rows (Name, Type, Data, Age) as printConfigMap/printSecret compute them. */
import type { ConfigMap, KubeObject, Secret } from '@kemu/api';
import { ageSince } from './human-duration.js';
import { ageColumn, column, nameColumn, type Printer } from './table.js';

const dataColumn = (description: string) => column('Data', description);

/** The ConfigMap printer: Data counts `data` and `binaryData` keys. */
export const configMapPrinter: Printer = {
  columns: [
    nameColumn,
    dataColumn(
      "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
    ),
    ageColumn,
  ],
  cells(object: KubeObject, now: number): unknown[] {
    const cm = object as ConfigMap;
    const count = Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length;
    return [cm.metadata.name, count, ageSince(cm.metadata.creationTimestamp, now)];
  },
};

/** The Secret printer. */
export const secretPrinter: Printer = {
  columns: [
    nameColumn,
    column(
      'Type',
      'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types',
    ),
    dataColumn(
      "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
    ),
    ageColumn,
  ],
  cells(object: KubeObject, now: number): unknown[] {
    const s = object as Secret;
    return [
      s.metadata.name,
      s.type ?? '',
      Object.keys(s.data ?? {}).length,
      ageSince(s.metadata.creationTimestamp, now),
    ];
  },
};
