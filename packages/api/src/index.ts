export type * from './types.js';
export { resourceTypes, apiVersionOf, resourceByName, resourceByKind, keyString } from './resources.js';
export type { ResourceType, ObjectKey } from './resources.js';
