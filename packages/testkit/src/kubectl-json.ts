/** Reading a test cluster with `kubectl get -o json`, parsed, for the end-to-end suites. */

/** Anything that runs kubectl and returns its stdout, throwing on a non-zero exit (a test cluster). */
export interface KubectlRunner {
  kubectlOk(args: string[]): Promise<string>;
}

/** `kubectl get <args> -o json`, parsed as T (one object, or a List when args name several). */
export async function getJson<T>(cluster: KubectlRunner, args: string[]): Promise<T> {
  const out = await cluster.kubectlOk(['get', ...args, '-o', 'json']);
  try {
    return JSON.parse(out) as T;
  } catch (err) {
    throw new Error(`kubectl get ${args.join(' ')} -o json printed no JSON: ${out.slice(0, 200)}`, { cause: err });
  }
}

/** The items of `kubectl get <args> -o json` (a List). */
export async function listJson<T>(cluster: KubectlRunner, args: string[]): Promise<T[]> {
  return (await getJson<{ items: T[] }>(cluster, args)).items;
}
