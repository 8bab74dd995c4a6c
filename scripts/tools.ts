import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The tools cache the install scripts fill (scripts/install-tools.sh, install-moto.sh, install-lint-tools.sh). */
export function toolsCacheRoot(): string {
  return process.env.S3DS_TOOLS_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 's3-direct-sync', 'tools');
}

/** The folder holding the binaries, as scripts/install-tools.sh lays it out. */
export function toolsBinDir(): string {
  return join(toolsCacheRoot(), 'bin');
}

/** What installs a binary of the cache: every caller installs before it runs (scripts/test.sh, demo.sh, bench.sh). */
const INSTALLED_BY: Record<string, string> = {
  'toxiproxy-server': 'scripts/install-tools.sh toxiproxy',
  'toxiproxy-cli': 'scripts/install-tools.sh toxiproxy',
  aws: 'scripts/install-tools.sh awscli',
  tflint: 'scripts/install-lint-tools.sh',
  checkov: 'scripts/install-lint-tools.sh',
};

/** Fails with the command to run when `path` is missing: the tools are installed beforehand, never here. */
export function requireInstalled(path: string, what: string, installCommand: string): string {
  if (!existsSync(path)) throw new Error(`${what} is not installed (${path} is missing): run 'bash ${installCommand}' first (scripts/test.sh does)`);
  return path;
}

/** Path of an installed tool of the cache. Locates only: it installs nothing. */
export function toolPath(name: string): string {
  return requireInstalled(join(toolsBinDir(), name), name, INSTALLED_BY[name] ?? `scripts/install-tools.sh ${name}`);
}
