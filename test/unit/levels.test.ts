/**
 * test/unit stays pure: no unit test file imports what starts a process, a server or a network
 * connection. Such tests belong in test/integration (versitygw, moto) or test/infra (image, lint, scripts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const UNIT = fileURLToPath(new URL('.', import.meta.url));
const IMPURE = [
  /from 'node:(child_process|http|https|net|dgram)'/,
  /helpers\/(s3|moto|toxiproxy|fault-proxy|kms-etag-proxy|cli|spawn|job)\.js'/,
  /scripts\/(local-s3|tools)\.js'/,
  /system\/probe\.js'[^;]*\bprobeResources\b|\bprobeResources\b[^;]*system\/probe\.js'/,
];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return files(join(dir, e.name));
    return e.name.endsWith('.ts') ? [join(dir, e.name)] : [];
  });
}

describe('test/unit', () => {
  it('imports nothing that starts a process, a server or a connection', () => {
    const found = files(UNIT).flatMap((f) => {
      const imports = readFileSync(f, 'utf8').match(/^import[^;]*;/gms) ?? [];
      // The repository's root path is all a unit test may take from the CLI helper.
      const impure = imports.filter((i) => IMPURE.some((re) => re.test(i)) && !/^import \{ repoRoot \} from '[./]+\/helpers\/cli\.js';$/.test(i));
      return impure.map((i) => `${relative(UNIT, f)}: ${i.replace(/\s+/g, ' ')}`);
    });
    expect(found).toEqual([]);
  });
});
