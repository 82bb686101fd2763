/**
 * The kubelet's AtomicWriter: a volume directory whose files are symlinks into `..data`,
 * itself a symlink to a timestamped directory holding one version of the payload. An
 * update writes the new version beside the old one and renames a new `..data` link over
 * the old, so a reader sees either the old files or the new ones, never a mix; then the
 * old version is removed. Unchanged payloads are not rewritten.
 */
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

/** One file of a volume: its relative path, content and mode. */
export interface PayloadFile {
  path: string;
  content: Buffer;
  mode: number;
}

function currentPayload(dir: string): Map<string, { content: Buffer; mode: number }> | undefined {
  const data = join(dir, '..data');
  if (!existsSync(data)) return undefined;
  const out = new Map<string, { content: Buffer; mode: number }>();
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(data, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(p);
      else out.set(p, { content: readFileSync(join(data, p)), mode: lstatSync(join(data, p)).mode & 0o7777 });
    }
  };
  walk('');
  return out;
}

function samePayload(files: PayloadFile[], current: Map<string, { content: Buffer; mode: number }>): boolean {
  if (files.length !== current.size) return false;
  return files.every((f) => {
    const c = current.get(f.path);
    return c !== undefined && c.mode === f.mode && c.content.equals(f.content);
  });
}

/** Writes `files` into `dir` atomically; returns false when the payload was already there. */
export function writeAtomically(dir: string, files: PayloadFile[], now: Date = new Date()): boolean {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const current = currentPayload(dir);
  if (current && samePayload(files, current)) return false;
  const stamp = `..${now.toISOString().replace(/[-:]/g, '_').replace('T', '_').replace('Z', '')}.${process.pid}${Math.floor(Math.random() * 1e6)}`;
  const version = join(dir, stamp);
  mkdirSync(version, { mode: 0o755 });
  for (const f of files) {
    mkdirSync(dirname(join(version, f.path)), { recursive: true, mode: 0o755 });
    writeFileSync(join(version, f.path), f.content, { mode: f.mode });
    chmodSync(join(version, f.path), f.mode);
  }
  const old = existsSync(join(dir, '..data')) ? readlinkSync(join(dir, '..data')) : undefined;
  rmSync(join(dir, '..data_tmp'), { force: true });
  symlinkSync(stamp, join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  const top = new Set(files.map((f) => f.path.split('/')[0] ?? f.path));
  for (const name of top) {
    if (!existsSync(join(dir, name))) symlinkSync(join('..data', name), join(dir, name));
  }
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith('..') || top.has(entry)) continue;
    rmSync(join(dir, entry), { force: true, recursive: true });
  }
  if (old && old !== stamp) rmSync(join(dir, old), { recursive: true, force: true });
  return true;
}
