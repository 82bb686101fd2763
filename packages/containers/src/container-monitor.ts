/**
 * The per-container monitor, kemu's containerd-shim: a small perl process (perl is
 * Essential in Debian; ~5 MB, where node would take ~40 MB) that makes itself a child
 * subreaper, runs `runc run --detach`, and so becomes the container's parent once runc
 * exits. It waits for the container's init and writes its exit code to `exit.json`,
 * 128+N for signal N as Kubernetes reports it, or 128 with reason StartError when runc
 * could not start it; an empty `started` marks a start that worked. It mounts the
 * container's overlay root filesystem itself (mount(2) through perl's `syscall`) when
 * asked. Monitors are forked by one long-lived perl launcher per runtime rather than
 * spawned by the node-agent: a fork copies the parent's page tables, so each spawn from
 * the ~85 MB node-agent cost milliseconds of CPU where the launcher's fork costs a tenth
 * of one, and `mount` needs no process of its own. The container inherits the monitor's
 * stdout/stderr, the log file, so its output goes there directly; nothing is tied to the
 * node-agent, so the container and its monitor outlive a `kill -9` of the agent (and of
 * the launcher), and a new agent reads the files back.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { arch } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { processStartTicks } from './proc.js';

/** prctl(2)'s syscall number per architecture (for PR_SET_CHILD_SUBREAPER). */
const PRCTL: Record<string, number> = { x64: 157, arm64: 167 };

/** mount(2)'s syscall number per architecture (the overlay root filesystem). */
const MOUNT: Record<string, number> = { x64: 165, arm64: 40 };

/**
 * The launcher and monitor program; argv: prctl number, mount number. It reads one job a
 * line from stdin (percent-encoded fields: container dir, stdin path or `-`, overlay
 * options of `<dir>/rootfs` or `-` when mounted already, log path, then the runtime's
 * `run` argv), forks a monitor for it and answers with the monitor's pid (or `error …`).
 * The monitor leaves the launcher's session, writes to the log and opens the stdin FIFO
 * read-only (blocking until a writer exists, which the node-agent holds), so the
 * container sees EOF once every writer closes it, as `stdinOnce` needs. The launcher
 * ignores SIGCHLD (the kernel reaps its monitors); a monitor sets it back for its own
 * waits. It exits when its stdin closes (the node-agent is gone); the monitors stay.
 */
export const MONITOR_SCRIPT = `use strict;
use POSIX ();
my ($prctl, $mountnr) = @ARGV;
$SIG{CHLD} = 'IGNORE';
$| = 1;
sub decode { my $v = shift; $v =~ s/%([0-9A-Fa-f]{2})/chr(hex($1))/ge; return $v; }
sub record {
  my ($dir, $code, $signal, $reason) = @_;
  open(my $o, '>', "$dir/exit.json.tmp") or return;
  print $o "{\\"exitCode\\":$code,\\"signal\\":$signal,\\"reason\\":\\"$reason\\"}\\n";
  close $o;
  rename("$dir/exit.json.tmp", "$dir/exit.json");
}
sub fail { my ($dir, $msg) = @_; print STDERR "kemu-monitor: $msg\\n" if defined $msg; record($dir, 128, 0, 'StartError'); POSIX::_exit(1); }
while (my $line = <STDIN>) {
  chomp $line;
  my @job = map { decode($_) } split(/ /, $line, -1);
  my $pid = fork();
  if (!defined $pid) { print "error fork: $!\\n"; next; }
  if ($pid == 0) { eval { monitor(@job); }; POSIX::_exit(1); }
  print "$pid\\n";
}
sub monitor {
  my ($dir, $stdin, $overlay, $log, @run) = @_;
  $SIG{CHLD} = 'DEFAULT';
  $0 = "kemu-monitor $dir";
  POSIX::setsid();
  open(STDOUT, '>>', $log) or fail($dir);
  open(STDERR, '>&', \\*STDOUT) or fail($dir);
  my $in = $stdin eq '-' ? '/dev/null' : $stdin;
  open(STDIN, '<', $in) or fail($dir, "cannot open $in: $!");
  if (syscall($prctl, 36, 1, 0, 0, 0) != 0) { fail($dir, "PR_SET_CHILD_SUBREAPER: $!"); }
  my ($fs, $rootfs) = ('overlay', "$dir/rootfs");
  if ($overlay ne '-' && syscall($mountnr, $fs, $rootfs, $fs, 0, $overlay) != 0) { fail($dir, "overlay mount of $rootfs: $!"); }
  if (system(@run) != 0) { fail($dir); }
  if (open(my $s, '>', "$dir/started")) { close $s; }
  open(my $f, '<', "$dir/container.pid") or fail($dir);
  my $pid = <$f>;
  close $f;
  $pid =~ s/\\s+//g;
  for (;;) {
    my $w = waitpid(-1, 0);
    if ($w == -1) { record($dir, 255, 0, 'Unknown'); POSIX::_exit(1); }
    next if $w != $pid;
    my $signal = $? & 127;
    if ($signal) { record($dir, 128 + $signal, $signal, 'Error'); }
    else { my $code = $? >> 8; record($dir, $code, 0, $code == 0 ? 'Completed' : 'Error'); }
    POSIX::_exit(0);
  }
}
`;

/** Where the monitor and its container keep their files. */
export interface MonitorFiles {
  /** The container's directory (bundle, rootfs, pid and exit files). */
  dir: string;
  logPath: string;
  /** A FIFO the container reads as stdin; /dev/null when absent. */
  stdinPath?: string;
  /** Overlay mount options of `<dir>/rootfs`, which the monitor mounts before the runtime runs (absent: mounted). */
  overlay?: string;
}

/** The files of a container's directory the monitor and runtime write. */
export const MONITOR_FILES = {
  containerPid: 'container.pid',
  exit: 'exit.json',
  monitor: 'monitor.json',
  started: 'started',
  runtimeLog: 'runtime.log',
} as const;

/** Starts monitors through one long-lived launcher (a fork of a small perl, not of the node-agent). */
export interface MonitorLauncher {
  /** Starts the monitor of a container; resolves with its pid once it runs (the container starts after). */
  launch(runArgv: string[], files: MonitorFiles): Promise<number>;
}

const encode = (v: string) => v.replace(/[%\s]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/** The launcher of the monitor program at `scriptPath`, started at its first launch and again after it died. */
export function createMonitorLauncher(scriptPath: string): MonitorLauncher {
  const prctl = PRCTL[arch()];
  const mount = MOUNT[arch()];
  let current:
    | { child: ChildProcess; waiting: ((line: string | Error) => void)[]; hold: (on: boolean) => void }
    | undefined;

  function launcher() {
    if (current) return current;
    if (prctl === undefined || mount === undefined) throw new Error(`no syscall numbers for ${arch()}`);
    const child = spawn('perl', [scriptPath, String(prctl), String(mount)], {
      stdio: ['pipe', 'pipe', 'inherit'],
      // Room for each monitor's title (`kemu-monitor <dir>`), which perl writes over argv and environ (not a setting: no KEMU_ name).
      env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', TITLE_ROOM: ' '.repeat(512) },
    });
    const stop = (err: Error) => {
      if (current === self) current = undefined;
      for (const w of self.waiting.splice(0)) w(err);
    };
    // The launcher keeps the caller's process alive only while a launch waits for its answer.
    const hold = (on: boolean) => {
      for (const h of [child, child.stdin, child.stdout] as ({ ref?: () => void; unref?: () => void } | null)[]) {
        if (on) h?.ref?.();
        else h?.unref?.();
      }
    };
    createInterface({ input: child.stdout as Readable }).on('line', (line) => {
      self.waiting.shift()?.(line);
      if (self.waiting.length === 0) hold(false);
    });
    child.once('error', stop);
    child.once('exit', (code, signal) => stop(new Error(`the monitor launcher exited (${signal ?? code})`)));
    child.stdin?.on('error', () => undefined);
    const self = { child, waiting: [] as ((line: string | Error) => void)[], hold };
    current = self;
    return self;
  }

  return {
    async launch(runArgv, files) {
      mkdirSync(dirname(files.logPath), { recursive: true });
      const job = [files.dir, files.stdinPath ?? '-', files.overlay ?? '-', files.logPath, ...runArgv];
      const l = launcher();
      const answer = await new Promise<string | Error>((resolve) => {
        l.waiting.push(resolve);
        l.hold(true);
        l.child.stdin?.write(`${job.map(encode).join(' ')}\n`);
      });
      if (answer instanceof Error) throw answer;
      const pid = Number(answer);
      if (!Number.isInteger(pid) || pid <= 0) throw new Error(`the monitor launcher: ${answer}`);
      const startTicks = await processStartTicks(pid);
      await writeFile(join(files.dir, MONITOR_FILES.monitor), JSON.stringify({ pid, startTicks }));
      return pid;
    },
  };
}
