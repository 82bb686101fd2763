export { correlationIndexValue, createEventRecorder } from './event-recorder.js';
export type { EventRecorder, EventRecorderOptions } from './event-recorder.js';
export { buildEvent, containerFieldPath, objectReference } from './core-event.js';
export type { EventOccurrence, EventSource, EventType } from './core-event.js';
