/**
 * The undo journal: every fault that needs undoing (a link set down, a stopped process,
 * a qdisc, a hollow node's stop file) is written to `<state>/chaos-undo.json` before it is injected and removed once
 * undone, so `kemu chaos recover` can undo what a runner killed with -9 left behind.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** How to undo one fault. */
export type UndoStep =
  | { kind: 'link-up'; netns: string; link: string }
  | { kind: 'sigcont'; pid: number; startTime: string }
  | { kind: 'qdisc-del'; netns: string; dev: string }
  /** iptables rules (chain and match arguments) to delete in a netns. */
  | { kind: 'iptables-del'; netns: string; rules: string[][] }
  /** A hollow node's stop file to remove (the node comes back). */
  | { kind: 'file-del'; path: string };

/** A pending undo in the journal. */
export interface JournalEntry {
  id: string;
  target: string;
  step: UndoStep;
  since: string;
}

/** The journal of one cluster. */
export interface UndoJournal {
  add(entry: JournalEntry): Promise<void>;
  remove(id: string): Promise<void>;
  list(): Promise<JournalEntry[]>;
}

/** The journal file in a state directory. */
export function undoJournalPath(stateDir: string): string {
  return `${stateDir}/chaos-undo.json`;
}

/** The journal's entries; none when the file is missing or unreadable (nothing to undo). */
async function readEntries(path: string): Promise<JournalEntry[]> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as JournalEntry[];
  } catch {
    return [];
  }
}

/** Writes through a temporary file and rename, so a runner killed mid-write leaves the old journal. */
async function writeEntries(path: string, entries: JournalEntry[]): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(entries, null, 2)}\n`);
  await rename(tmp, path);
}

/** Opens the journal; writes are serialized so concurrent faults do not lose entries. */
export function openUndoJournal(stateDir: string): UndoJournal {
  const path = undoJournalPath(stateDir);
  let chain: Promise<unknown> = Promise.resolve();
  const update = (f: (l: JournalEntry[]) => JournalEntry[]) => {
    const next = chain.then(async () => {
      await writeEntries(path, f(await readEntries(path)));
    });
    chain = next.catch(() => undefined);
    return next;
  };
  return {
    add: (e) => update((l) => [...l, e]),
    remove: (id) => update((l) => l.filter((e) => e.id !== id)),
    list: () => readEntries(path),
  };
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks): tells a process from a later one with its pid. */
export async function processStartTime(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Performs one undo step; a target that is already gone counts as undone. Returns what it did. */
export async function performUndo(step: UndoStep): Promise<string> {
  switch (step.kind) {
    case 'link-up':
      await run('ip', ['-n', step.netns, 'link', 'set', 'dev', step.link, 'up']);
      return `set ${step.link} up in ${step.netns}`;
    case 'sigcont': {
      if ((await processStartTime(step.pid)) !== step.startTime) return `pid ${step.pid} is gone; nothing to continue`;
      process.kill(step.pid, 'SIGCONT');
      return `sent SIGCONT to pid ${step.pid}`;
    }
    case 'qdisc-del':
      try {
        await run('ip', ['netns', 'exec', step.netns, 'tc', 'qdisc', 'del', 'dev', step.dev, 'root']);
      } catch {
        return `no qdisc left on ${step.dev} in ${step.netns}`;
      }
      return `removed the qdisc on ${step.dev} in ${step.netns}`;
    case 'file-del':
      await rm(step.path, { force: true });
      return `removed ${step.path}`;
    case 'iptables-del': {
      let removed = 0;
      for (const rule of step.rules) {
        try {
          await run('ip', ['netns', 'exec', step.netns, 'iptables', '-D', ...rule]);
          removed++;
        } catch {
          // Already gone (or the netns is).
        }
      }
      return `removed ${removed} iptables rule(s) in ${step.netns}`;
    }
  }
}
