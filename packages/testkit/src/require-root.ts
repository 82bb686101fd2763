/** The privilege check of privileged tests: fail loudly, never skip. */

/** Thrown when a test that needs root runs as another user. */
export class MissingPrivilegeError extends Error {
  readonly code = 'MISSING_PRIVILEGE';
  constructor(message: string) {
    super(message);
    this.name = 'MissingPrivilegeError';
  }
}

/** Throws MissingPrivilegeError, naming what needs root and how to run it, unless this process runs as uid 0. */
export function requireRoot(why: string): void {
  const uid = process.getuid?.();
  if (uid === 0) return;
  throw new MissingPrivilegeError(
    `this test needs root (uid 0) but runs as uid ${uid ?? 'unknown'}: ${why}. ` +
      'Run them as root (sudo npx vitest run --project privileged), or run only the other layers ' +
      '(pnpm test:unit, pnpm test:integration).',
  );
}
