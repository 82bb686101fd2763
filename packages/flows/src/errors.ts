/** Errors of the flow package. */

/** A flow batch that cannot be read. */
export class FlowDecodeError extends Error {
  readonly code = 'FLOW_DECODE';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FlowDecodeError';
  }
}
