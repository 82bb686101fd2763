/**
 * The `/version` reply. kubectl's dispatcher picks its binary from gitVersion, so it must
 * be a v1.32.x version for the 1.32 client paths kemu is built against (kubectl-api.md §1.1).
 */

/** The Kubernetes version kemu reports. */
export const KUBERNETES_VERSION = 'v1.32.4';

/** The version.Info object. */
export function versionInfo(): Record<string, string> {
  return {
    major: '1',
    minor: '32',
    gitVersion: KUBERNETES_VERSION,
    gitCommit: '59526cd4867447956156ae3a602fcbac5a2c4c5f',
    gitTreeState: 'clean',
    buildDate: '2025-04-22T16:01:04Z',
    goVersion: 'go1.23.8',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}
