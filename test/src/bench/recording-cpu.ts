/**
 * CPU time spent on flow recording in a node netns: the proxy process (with the
 * `conntrack -L` listings it ran, reaped children) and the `conntrack -E` readers,
 * found by the netns's pids. A figure that noise from other work on the machine does not
 * move, unlike request rates: recording's cost per connection, whatever the load.
 */
import { readFile } from 'node:fs/promises';
import { runCommand } from '../kemu-cluster.js';

const TICKS_PER_SECOND = 100;

/** CPU milliseconds so far of the proxy and conntrack processes in `netns`. */
export async function recordingCpuMs(netns: string): Promise<number> {
  const r = await runCommand('ip', ['netns', 'pids', netns]);
  let ticks = 0;
  for (const pid of r.stdout.split('\n').filter(Boolean)) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.includes('proxy/dist/main.js') && !cmdline.startsWith('conntrack')) continue;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    // Fields after the parenthesised command: utime, stime, cutime, cstime are 14-17 of the whole line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    for (const i of [11, 12, 13, 14]) ticks += Number(fields[i] ?? 0);
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}
