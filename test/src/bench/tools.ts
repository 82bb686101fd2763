/** Installs the benchmark's own tools (Debian's wrk and haproxy) when they are missing. */
import { runCommand } from '../kemu-cluster.js';

/** Makes sure wrk and haproxy are on PATH, installing them with apt-get if needed. */
export async function ensureTools(progress: (msg: string) => void): Promise<void> {
  const missing: string[] = [];
  for (const tool of ['wrk', 'haproxy']) {
    if ((await runCommand('sh', ['-c', `command -v ${tool}`])).code !== 0) missing.push(tool);
  }
  if (missing.length === 0) return;
  progress(`installing ${missing.join(', ')} (apt-get)`);
  const r = await runCommand(
    'sh',
    [
      '-c',
      `apt-get install -y -qq ${missing.join(' ')} >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq ${missing.join(' ')})`,
    ],
    {
      timeoutMs: 600_000,
    },
  );
  if (r.code !== 0) throw new Error(`cannot install ${missing.join(', ')}: ${r.stderr}`);
}
