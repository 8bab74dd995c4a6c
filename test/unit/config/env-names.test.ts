import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { knownEnvNames } from '../../../src/config/flags.js';

const root = join(import.meta.dirname, '..', '..', '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe('S3DS_ variable names', () => {
  it('every name the code, scripts, Dockerfile and Terraform use is known, so the loader does not refuse it as a typo', () => {
    const known = new Set(knownEnvNames());
    const used = new Map<string, string>();
    for (const dir of ['src', 'scripts', 'docker', 'terraform']) {
      for (const file of files(join(root, dir))) {
        // A name followed by * or built from parts (S3DS_VALIDATE_MIN_*, `S3DS_${...}`) is a pattern, not a name.
        for (const m of readFileSync(file, 'utf8').matchAll(/S3DS_[A-Z0-9_]*[A-Z0-9](?![A-Z0-9_]*[*$])/g)) used.set(m[0], file);
      }
    }
    expect(used.size).toBeGreaterThan(20);
    const unknown = [...used].filter(([name]) => !known.has(name)).map(([name, file]) => `${name} (${file})`);
    expect(unknown).toEqual([]);
  });
});
