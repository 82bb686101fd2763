/**
 * Commands run by a long-lived perl forker instead of spawned by the caller. A spawn
 * forks the calling process: from a node-agent of ~150 MB that copies its page tables
 * and makes every page it writes next fault once more (copy-on-write), milliseconds of
 * its CPU per pod network in a burst; perl's fork costs a fraction. The forker reads one
 * job a line on stdin (percent-encoded id and argv), forks a child per job that runs the
 * command with stdin and stdout on /dev/null, collects its stderr and answers `<id>
 * <status> <stderr>` in one write (127: the command could not be executed). Jobs run
 * concurrently; the forker exits when its stdin closes and is started again on the next
 * job after it died. Without perl, commands are spawned as before.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { NetnsCommandError } from './errors.js';
import { run as spawnRun, type RunResult } from './run.js';

/**
 * The forker; each child's answer stays below PIPE_BUF (4096 bytes: 1300 bytes of stderr,
 * three each once encoded, and the id and status), so answers of concurrent jobs never
 * interleave. It reaps its children itself rather than ignoring SIGCHLD, so their CPU time
 * (the commands') is added to its own, where per-process CPU accounting finds it.
 */
const FORKER = `use strict;
use POSIX ();
$SIG{CHLD} = sub { while (waitpid(-1, POSIX::WNOHANG()) > 0) {} };
sub decode { my $v = shift; $v =~ s/%([0-9A-Fa-f]{2})/chr(hex($1))/ge; return $v; }
sub encode { my $v = shift; $v =~ s/([%\\s])/sprintf('%%%02x', ord($1))/ge; return $v; }
while (my $line = <STDIN>) {
  chomp $line;
  my ($id, @argv) = map { decode($_) } split(/ /, $line, -1);
  my $pid = fork();
  if (!defined $pid) { syswrite(STDOUT, "$id 126 fork%20failed\\n"); next; }
  next if $pid != 0;
  $SIG{CHLD} = 'DEFAULT';
  pipe(my $r, my $w) or POSIX::_exit(1);
  my $c = fork();
  if (!defined $c) { syswrite(STDOUT, "$id 126 fork%20failed\\n"); POSIX::_exit(1); }
  if ($c == 0) {
    close $r;
    open(STDIN, '<', '/dev/null');
    open(STDOUT, '>', '/dev/null');
    open(STDERR, '>&', $w);
    exec { $argv[0] } @argv;
    print STDERR "$argv[0]: $!\\n";
    POSIX::_exit(127);
  }
  close $w;
  my $err = do { local $/; <$r> } // '';
  waitpid($c, 0);
  my $status = ($? & 127) ? 128 + ($? & 127) : $? >> 8;
  syswrite(STDOUT, "$id $status " . encode(substr($err, 0, 1300)) . "\\n");
  POSIX::_exit(0);
}
`;

/** Runs commands (no shell of its own, no stdin) through the forker. */
export interface CommandRunner {
  /** Runs `cmd args...`; resolves with its stderr or throws NetnsCommandError, as `run` does. */
  run(cmd: string, args: readonly string[]): Promise<RunResult>;
  /** Lets the forker exit (it also exits with this process). */
  close(): void;
}

const encode = (v: string) => v.replace(/[%\s]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
const decode = (v: string) =>
  v.replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));

type Answer = { status: number; stderr: string };

/** How long a command may run, as `run`'s default. */
const TIMEOUT_MS = 30_000;

/** Creates a runner; its forker starts with the first command. */
export function createCommandRunner(): CommandRunner {
  let forker: { child: ChildProcess; waiting: Map<number, (a: Answer) => void>; hold(on: boolean): void } | undefined;
  let perlMissing = false;
  let next = 0;

  function start() {
    if (forker) return forker;
    const child = spawn('perl', ['-e', FORKER], { stdio: ['pipe', 'pipe', 'ignore'] });
    // The forker keeps this process alive only while a command runs.
    const hold = (on: boolean) => {
      for (const h of [child, child.stdin, child.stdout] as ({ ref?: () => void; unref?: () => void } | null)[]) {
        if (on) h?.ref?.();
        else h?.unref?.();
      }
    };
    const self = { child, waiting: new Map<number, (a: Answer) => void>(), hold };
    const stop = (err?: NodeJS.ErrnoException) => {
      if (forker === self) forker = undefined;
      if (err?.code === 'ENOENT') perlMissing = true;
      for (const w of self.waiting.values()) w({ status: -1, stderr: 'the command forker exited' });
      self.waiting.clear();
    };
    createInterface({ input: child.stdout as Readable }).on('line', (line) => {
      const [id = '', status = '', stderr = ''] = line.split(' ');
      const w = self.waiting.get(Number(id));
      self.waiting.delete(Number(id));
      if (self.waiting.size === 0) hold(false);
      w?.({ status: Number(status), stderr: decode(stderr) });
    });
    child.once('error', stop);
    child.once('exit', () => stop());
    child.stdin?.on('error', () => undefined);
    hold(false);
    forker = self;
    return self;
  }

  return {
    async run(cmd, args) {
      if (perlMissing) return spawnRun(cmd, args);
      const command = [cmd, ...args].join(' ');
      const f = start();
      const id = ++next;
      const answer = await new Promise<Answer>((resolve) => {
        // As `run`'s timeout: a command that hangs fails its caller (it is left to finish on its own).
        const timer = setTimeout(() => {
          f.waiting.delete(id);
          if (f.waiting.size === 0) f.hold(false);
          resolve({ status: -1, stderr: `timed out after ${TIMEOUT_MS} ms` });
        }, TIMEOUT_MS);
        timer.unref();
        f.waiting.set(id, (a) => {
          clearTimeout(timer);
          resolve(a);
        });
        f.hold(true);
        f.child.stdin?.write(`${[String(id), cmd, ...args].map(encode).join(' ')}\n`);
      });
      if (answer.status === -1 && perlMissing) return spawnRun(cmd, args);
      if (answer.status === 0) return { stdout: '', stderr: answer.stderr };
      if (answer.status === 127 && /No such file or directory/.test(answer.stderr)) {
        throw new NetnsCommandError(command, null, answer.stderr, { notFound: true });
      }
      throw new NetnsCommandError(command, answer.status < 0 ? null : answer.status, answer.stderr);
    },
    close() {
      forker?.child.stdin?.end();
      forker = undefined;
    },
  };
}
