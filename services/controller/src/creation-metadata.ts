/** Metadata a writer sets when it creates an object (the apiserver would set it on a POST). */
import type { KubeObject } from '@kemu/api';
import { randomUUID } from 'node:crypto';
import { rfc3339 } from './conditions.js';

/** The object with a fresh uid and creationTimestamp `now`, unless it has them already. */
export function withCreationMetadata<T extends KubeObject>(object: T, now: Date): T {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      uid: object.metadata.uid ?? randomUUID(),
      creationTimestamp: object.metadata.creationTimestamp ?? rfc3339(now),
    },
  };
}
