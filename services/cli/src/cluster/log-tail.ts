/** The last lines of every component log, shown when `up` fails so the cause is visible at once. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Returns the last `lines` lines of each non-empty `*.log` in `logsDir`, each under a header. */
export async function tailLogs(logsDir: string, lines: number): Promise<string> {
  let files: string[];
  try {
    files = (await readdir(logsDir)).filter((f) => f.endsWith('.log')).sort();
  } catch {
    return '';
  }
  let out = '';
  for (const file of files) {
    const text = (await readFile(join(logsDir, file), 'utf8').catch(() => '')).trimEnd();
    if (!text) continue;
    out += `--- ${file} (last ${lines} lines) ---\n${text.split('\n').slice(-lines).join('\n')}\n`;
  }
  return out;
}
