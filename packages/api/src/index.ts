export type * from './types.js';
export { resourceTypes, apiVersionOf, resourceByName, resourceByKind, keyString } from './resources.js';
export type { ResourceType, ObjectKey } from './resources.js';
export type { ResourceTypes, ResourceName, TypedKey } from './resource-types.js';
export {
  ApiError,
  notFound,
  alreadyExists,
  conflict,
  invalid,
  badRequest,
  methodNotAllowed,
  expired,
  unauthorized,
  internalError,
  unavailable,
  patchNotApplicable,
} from './errors.js';
export type { StatusCause } from './errors.js';
export { selectorMatches, formatSelector } from './selectors.js';
export { parseManifests, decodeBody } from './manifests.js';
export { defaultObject } from './defaults.js';
export { schemas as kindSchemas } from './schema.js';
export type { Schema } from './schema.js';
export { generateJobSelector } from './job-selector.js';
export { parseCronSchedule, nextCronTime, CronScheduleError } from './cron-schedule.js';
export type { CronSchedule } from './cron-schedule.js';
export { nextCronTimeIn, isKnownTimeZone } from './cron-time-zone.js';
export { defaultPullPolicy, podQOSClass } from './defaults-pod.js';
export { validateObject } from './validation.js';
export { isConfigMapKey, MAX_CONFIG_SIZE } from './validate-config.js';
export {
  validateName,
  isDNS1123Label,
  isDNS1123Subdomain,
  isDNS1035Label,
  isQualifiedName,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
} from './names.js';
export { validateLabels } from './validate-meta.js';
export { validateLabelSelector } from './validate-workloads.js';
export { formatGoValue, required, invalidValue, notSupported, duplicate, forbidden } from './field-errors.js';
export {
  findUnknownFields,
  findTypeError,
  strictDecodingError,
  decodingError,
  checkDecodable,
} from './unknown-fields.js';
export { strategicMergePatch, jsonMergePatch, jsonPatch } from './patch.js';
export type { JsonPatchOp } from './patch.js';
export {
  parseLabelSelector,
  matchesLabelSelector,
  matchLabelSelectorObject,
  labelSelectorFromObject,
  formatLabelSelector,
} from './label-selector.js';
export type { LabelSelector, LabelRequirement } from './label-selector.js';
export { parseFieldSelector, matchesFieldSelector, fieldValue, checkFieldSelector } from './field-selector.js';
export type { FieldSelector, FieldRequirement } from './field-selector.js';
export {
  parseQuantity,
  quantityValue,
  milliValue,
  isQuantity,
  QuantityError,
  quantityFormatMessage,
} from './quantity.js';
export { deepEqual } from './deep-equal.js';
export { findDuplicateJsonKeys } from './json-duplicates.js';
export { intToIpv4, ipv4ToInt } from './ipv4.js';
export {
  InvalidCidrError,
  tryParseCidr,
  parseCidr,
  parseServiceCidr,
  formatCidr,
  cidrSize,
  cidrAddress,
  cidrContains,
} from './cidr.js';
export type { Ipv4Cidr, CidrBounds } from './cidr.js';
export {
  HOSTNAME_LABEL,
  OS_LABEL,
  ARCH_LABEL,
  BETA_OS_LABEL,
  BETA_ARCH_LABEL,
  ZONE_LABEL,
  NODE_ROLE_LABEL_PREFIX,
  NOT_READY_TAINT,
  UNREACHABLE_TAINT,
  HOLLOW_LABEL,
  SERVICE_NAME_LABEL,
  MANAGED_BY_LABEL,
  SKIP_MIRROR_LABEL,
  HEADLESS_LABEL,
  SERVICE_PROXY_NAME_LABEL,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  CONTROLLER_REVISION_HASH_LABEL,
  STATEFULSET_POD_NAME_LABEL,
  POD_INDEX_LABEL,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  APP_NAME_LABEL,
  K8S_APP_LABEL,
  CLUSTER_SERVICE_LABEL,
  KUBERNETES_NAME_LABEL,
  CONFIG_MIRROR_ANNOTATION,
  CONFIG_SOURCE_ANNOTATION,
  CONFIG_SOURCE_KEMU,
} from './well-known.js';
