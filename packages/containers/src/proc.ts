/** What /proc says about a process: alive or not, and when it started (to tell a reused pid apart). */
import { readFile } from 'node:fs/promises';

/** The start time of `pid` in clock ticks since boot, or undefined when it is gone or a zombie. */
export async function processStartTicks(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

/** Tells whether `pid` runs and, when `startTicks` is given, is still the process that had them. */
export async function processAlive(pid: number, startTicks?: string): Promise<boolean> {
  const now = await processStartTicks(pid);
  return now !== undefined && (startTicks === undefined || now === startTicks);
}
