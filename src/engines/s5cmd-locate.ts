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
  const fromPath = (env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((d) => join(d, 's5cmd'));
  const cacheRoot = env.S3DS_TOOLS_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 's3-direct-sync', 'tools');
  return [...fromPath, join(cacheRoot, 'bin', 's5cmd')];
}

/** The oldest s5cmd whose `run --json` output and flags (--raw, --metadata-directive) this job relies on. */
export const MIN_S5CMD_VERSION = '2.3.0';

/** `v2.3.0-release` → [2, 3, 0]; undefined when the text holds no version. */
export function parseS5cmdVersion(text: string): [number, number, number] | undefined {
  const m = /\bv?(\d+)\.(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** Why this `s5cmd version` output is not good enough, or undefined when it is. */
export function s5cmdVersionProblem(text: string): string | undefined {
  const found = parseS5cmdVersion(text);
  const needed = parseS5cmdVersion(MIN_S5CMD_VERSION)!;
  if (!found) return `its version cannot be read from '${text}' (needs ${MIN_S5CMD_VERSION} or newer)`;
  for (let i = 0; i < 3; i++) {
    if (found[i]! > needed[i]!) return undefined;
    if (found[i]! < needed[i]!) return `it is version ${found.join('.')}, older than the ${MIN_S5CMD_VERSION} this job needs`;
  }
  return undefined;
}

export async function probeS5cmd(env: Record<string, string | undefined> = process.env): Promise<S5cmdProbe> {
  const candidates = s5cmdCandidates(env);
  const path = candidates.find((p) => existsSync(p));
  if (!path) return { available: false, reason: `s5cmd not found (looked in ${env.S3DS_S5CMD_PATH ? '$S3DS_S5CMD_PATH' : 'PATH and the tool cache'})` };
  try {
    const { stdout } = await run(path, ['version'], { timeout: 5000 });
    const version = stdout.trim().split(/\s+/)[0] ?? 'unknown';
    const problem = s5cmdVersionProblem(version);
    if (problem) return { available: false, path, version, reason: `s5cmd at ${path} cannot be used: ${problem}` };
    return { available: true, path, version, reason: `s5cmd ${version} at ${path}` };
  } catch (e) {
    return { available: false, path, reason: `s5cmd at ${path} does not run: ${(e as Error).message}` };
  }
}
