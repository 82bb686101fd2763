/** Lists what of a cluster still exists on the host: netns, links, addresses, processes. */
import { readdir, readFile } from 'node:fs/promises';
import { listNetns, run } from '@kemu/netns';

/** Returns a line per leftover netns, link, underlay address or process (KEMU_CLUSTER=<cluster>). */
export async function clusterLeftovers(cluster: string, subnetIndex: number): Promise<string[]> {
  const found: string[] = [];
  for (const ns of await listNetns()) if (ns.startsWith(`kemu-${cluster}-`)) found.push(`netns ${ns}`);
  const { stdout: links } = await run('ip', ['-o', 'link', 'show']);
  for (const l of links.split('\n')) if (l.includes(`km-${cluster}`)) found.push(`link ${l.trim()}`);
  const { stdout: addrs } = await run('ip', ['-o', '-4', 'addr', 'show']);
  for (const l of addrs.split('\n')) if (l.includes(`10.250.${subnetIndex}.`)) found.push(`address ${l.trim()}`);
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const env = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    if (env.split('\0').includes(`KEMU_CLUSTER=${cluster}`)) found.push(`process ${entry}`);
  }
  return found;
}
