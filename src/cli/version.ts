import { readFileSync } from 'node:fs';

/** The package's version, from the package.json two folders above dist/cli (and src/cli). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
