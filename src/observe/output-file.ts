import { randomBytes } from 'node:crypto';
import { closeSync, openSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A name beside `path` that nobody can plant in advance. */
function tempNameBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'its folder does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'its folder is not writable (permission denied)';
    case 'EROFS':
      return 'its folder is on a read-only file system';
    default:
      return e.code ?? e.message;
  }
}

/**
 * Proves before any work that a file can be written at `path` the way writeFileAtomically writes
 * it: a new file created in its folder, renamed over the path. Returns why not, or undefined.
 */
export function outputPathProblem(path: string): string | undefined {
  try {
    if (statSync(path).isDirectory()) return 'it is a directory';
  } catch {
    // Absent is fine: it is created.
  }
  const probe = tempNameBeside(path);
  try {
    closeSync(openSync(probe, 'wx'));
  } catch (err) {
    return reason(err);
  }
  unlinkSync(probe);
  return undefined;
}

/**
 * Writes the whole text or nothing: into a new file beside `path`, created exclusively under a
 * random name (so a link planted at a predictable name is never followed), then renamed into place.
 */
export function writeFileAtomically(path: string, text: string): void {
  const tmp = tempNameBeside(path);
  try {
    writeFileSync(tmp, text, { flag: 'wx' });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
