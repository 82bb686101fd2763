/** A setting that cannot be used: names the variable, the value and the form it must take. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly code = 'Config';
  /** The environment variable at fault. */
  readonly variable: string;

  constructor(variable: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.variable = variable;
  }
}
