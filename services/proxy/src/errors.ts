/** Failures of the proxy, each with a stable code that callers branch on. */

/** A service port has no endpoint to send a connection to (Kubernetes' ErrMissingEndpoints). */
export class MissingEndpointsError extends Error {
  override name = 'MissingEndpointsError';
  readonly code = 'MissingEndpoints';
  constructor(readonly servicePort: string) {
    super(`missing endpoints for ${servicePort}`);
  }
}

/** A service port is not known to the balancer. */
export class UnknownServicePortError extends Error {
  override name = 'UnknownServicePortError';
  readonly code = 'UnknownServicePort';
  constructor(readonly servicePort: string) {
    super(`unknown service port ${servicePort}`);
  }
}

/** Every dial attempt for one inbound connection failed ("failed to connect to an endpoint."). */
export class DialFailedError extends Error {
  override name = 'DialFailedError';
  readonly code = 'DialFailed';
  constructor(
    readonly servicePort: string,
    options?: ErrorOptions,
  ) {
    super(`failed to connect to an endpoint of ${servicePort}`, options);
  }
}

/** An `ip` command that changes the node's addresses failed. */
export class AddressCommandError extends Error {
  override name = 'AddressCommandError';
  readonly code = 'AddressCommand';
  constructor(
    readonly args: readonly string[],
    readonly stderr: string,
    options?: ErrorOptions,
  ) {
    super(`ip ${args.join(' ')} failed: ${stderr.trim()}`, options);
  }
}
