/**
 * The per-container monitor, kemu's containerd-shim: a small detached perl process (perl
 * is Essential in Debian; ~5 MB, where node would take ~40 MB) that makes itself a child
 * subreaper, runs `runc run --detach`, and so becomes the container's parent once runc
 * exits. It waits for the container's init and writes its exit code to `exit.json`,
 * 128+N for signal N as Kubernetes reports it, or 128 with reason StartError when runc
 * could not start it; an empty `started` marks a start that worked. It mounts the
 * container's overlay root filesystem itself (mount(2) through perl's `syscall`) when
 * asked: one process less per container start than a `mount` command, whose fork from
 * the node-agent (its page tables copied) cost more than the mount. The container inherits the monitor's stdout/stderr, the log file,
 * so its output goes there directly; nothing is tied to the node-agent, so the container
 * and its monitor outlive a `kill -9` of the agent, and a new agent reads the files back.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { arch } from 'node:os';
import { dirname, join } from 'node:path';
import { processStartTicks } from './proc.js';

/** prctl(2)'s syscall number per architecture (for PR_SET_CHILD_SUBREAPER). */
const PRCTL: Record<string, number> = { x64: 157, arm64: 167 };

/** mount(2)'s syscall number per architecture (the overlay root filesystem). */
const MOUNT: Record<string, number> = { x64: 165, arm64: 40 };

/**
 * The monitor program; argv: prctl number, mount number, container dir, stdin path (`-`
 * for none), overlay options of `<dir>/rootfs` (`-`: mounted already), then the
 * runtime's `run` argv. The stdin FIFO is opened read-only here (blocking until a
 * writer exists, which the node-agent holds), so the container sees EOF once every writer
 * closes it, as `stdinOnce` needs.
 */
export const MONITOR_SCRIPT = `use strict;
my ($prctl, $mountnr, $dir, $stdin, $overlay, @run) = @ARGV;
$0 = "kemu-monitor $dir";
if ($stdin ne '-') { open(STDIN, '<', $stdin) or die "kemu-monitor: cannot open $stdin: $!\n"; }
sub record {
  my ($code, $signal, $reason) = @_;
  open(my $o, '>', "$dir/exit.json.tmp") or return;
  print $o "{\\"exitCode\\":$code,\\"signal\\":$signal,\\"reason\\":\\"$reason\\"}\\n";
  close $o;
  rename("$dir/exit.json.tmp", "$dir/exit.json");
}
if (syscall($prctl, 36, 1, 0, 0, 0) != 0) { record(128, 0, 'StartError'); die "kemu-monitor: PR_SET_CHILD_SUBREAPER: $!\\n"; }
my ($fs, $rootfs) = ('overlay', "$dir/rootfs");
if ($overlay ne '-' && syscall($mountnr, $fs, $rootfs, $fs, 0, $overlay) != 0) {
  print STDERR "kemu-monitor: overlay mount of $dir/rootfs: $!\\n"; record(128, 0, 'StartError'); exit 1;
}
if (system(@run) != 0) { record(128, 0, 'StartError'); exit 1; }
if (open(my $s, '>', "$dir/started")) { close $s; }
open(my $f, '<', "$dir/container.pid") or do { record(128, 0, 'StartError'); exit 1; };
my $pid = <$f>;
close $f;
$pid =~ s/\\s+//g;
for (;;) {
  my $w = waitpid(-1, 0);
  if ($w == -1) { record(255, 0, 'Unknown'); exit 1; }
  next if $w != $pid;
  my $signal = $? & 127;
  if ($signal) { record(128 + $signal, $signal, 'Error'); }
  else { my $code = $? >> 8; record($code, 0, $code == 0 ? 'Completed' : 'Error'); }
  exit 0;
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

/** Starts the monitor detached; resolves with its pid once it runs (the container starts after). */
export async function spawnMonitor(scriptPath: string, runArgv: string[], files: MonitorFiles): Promise<number> {
  const prctl = PRCTL[arch()];
  const mount = MOUNT[arch()];
  if (prctl === undefined || mount === undefined) throw new Error(`no syscall numbers for ${arch()}`);
  mkdirSync(dirname(files.logPath), { recursive: true });
  const out = openSync(files.logPath, 'a');
  let pid: number | undefined;
  try {
    const child = spawn(
      'perl',
      [scriptPath, String(prctl), String(mount), files.dir, files.stdinPath ?? '-', files.overlay ?? '-', ...runArgv],
      {
        detached: true,
        stdio: ['ignore', out, out],
        env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
      },
    );
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.unref();
    pid = child.pid as number;
  } finally {
    closeSync(out);
  }
  const startTicks = await processStartTicks(pid);
  await writeFile(join(files.dir, MONITOR_FILES.monitor), JSON.stringify({ pid, startTicks }));
  return pid;
}
