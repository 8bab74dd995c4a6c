import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface S5cmdProbe {
  available: boolean;
  path?: string;
  version?: string;
  reason: string;
}

/** Candidate locations: $S3DS_S5CMD_PATH, then PATH, then the project's tool cache. */
export function s5cmdCandidates(env: Record<string, string | undefined>): string[] {
  if (env.S3DS_S5CMD_PATH) return [env.S3DS_S5CMD_PATH];
  const fromPath = (env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 's5cmd'));
  const cacheRoot = env.S3DS_TOOLS_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 's3-direct-sync', 'tools');
  return [...fromPath, join(cacheRoot, 'bin', 's5cmd')];
}

export async function probeS5cmd(env: Record<string, string | undefined> = process.env): Promise<S5cmdProbe> {
  const candidates = s5cmdCandidates(env);
  const path = candidates.find((p) => existsSync(p));
  if (!path) return { available: false, reason: `s5cmd not found (looked in ${env.S3DS_S5CMD_PATH ? '$S3DS_S5CMD_PATH' : 'PATH and the tool cache'})` };
  try {
    const { stdout } = await run(path, ['version'], { timeout: 5000 });
    const version = stdout.trim().split(/\s+/)[0] ?? 'unknown';
    return { available: true, path, version, reason: `s5cmd ${version} at ${path}` };
  } catch (e) {
    return { available: false, path, reason: `s5cmd at ${path} does not run: ${(e as Error).message}` };
  }
}
