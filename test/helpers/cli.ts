import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { run, type Ran } from './spawn.js';

export const repoRoot = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');

export type CliRun = Ran;

/** The built CLI (`npm run build`), run as a user would. */
export function cliPath(): string {
  const p = join(repoRoot, 'dist', 'cli', 'main.js');
  if (!existsSync(p)) throw new Error(`${p} is missing: run 'npm run build' first (scripts/test.sh does)`);
  return p;
}

export function runCli(args: string[], env: Record<string, string>, opts: { timeoutMs?: number; onSpawn?: (pid: number) => void } = {}): Promise<CliRun> {
  return run(process.execPath, [cliPath(), ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      S3DS_TOOLS_CACHE: process.env.S3DS_TOOLS_CACHE ?? '',
      ...env,
    },
    timeoutMs: opts.timeoutMs ?? 120_000,
    onSpawn: opts.onSpawn,
  });
}
