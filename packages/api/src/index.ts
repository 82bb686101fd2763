export type * from './types.js';
export { resourceTypes, apiVersionOf, resourceByName, resourceByKind, keyString } from './resources.js';
export type { ResourceType, ObjectKey } from './resources.js';
export { ApiError, notFound, alreadyExists, conflict, invalid, badRequest, methodNotAllowed, expired, unauthorized, internalError, unavailable } from './errors.js';
export type { StatusCause } from './errors.js';
export { selectorMatches, formatSelector } from './selectors.js';
