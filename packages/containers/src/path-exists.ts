/** Whether anything (a file, directory or symlink, even a dangling one) is at `path`. */
import { lstat } from 'node:fs/promises';

/** True when `lstat(path)` succeeds. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
