/** The `labelSelector` and `fieldSelector` query parameters as one predicate over objects. */
import {
  type KubeObject,
  checkFieldSelector,
  matchesFieldSelector,
  matchesLabelSelector,
  parseFieldSelector,
  parseLabelSelector,
} from '@kemu/api';

/** Builds the predicate of a list or watch; a malformed selector is a 400 Status. */
export function objectMatcher(
  resource: string,
  labelSelector: string | null,
  fieldSelector: string | null,
  name?: string,
): (object: KubeObject) => boolean {
  const labels = labelSelector ? parseLabelSelector(labelSelector) : [];
  const fields = fieldSelector ? parseFieldSelector(fieldSelector) : [];
  checkFieldSelector(resource, fields);
  return (object) =>
    (name === undefined || object.metadata.name === name) &&
    matchesLabelSelector(labels, object.metadata.labels) &&
    matchesFieldSelector(fields, object);
}
