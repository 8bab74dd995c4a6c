import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

let cachedBinDir: string | undefined;

/** Runs scripts/install-tools.sh (instant when cached) and returns the folder holding the binaries. */
export function toolsBinDir(targets: string[] = ['core']): string {
  if (cachedBinDir && targets.every((t) => t === 'core')) return cachedBinDir;
  const out = execFileSync('bash', [join(repoRoot, 'scripts/install-tools.sh'), ...targets], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const dir = out.trim().split('\n').pop() ?? '';
  if (!existsSync(dir)) throw new Error(`install-tools.sh did not print a bin folder (got '${dir}')`);
  if (targets.every((t) => t === 'core')) cachedBinDir = dir;
  return dir;
}

export function toolPath(name: string, targets?: string[]): string {
  return join(toolsBinDir(targets), name);
}
