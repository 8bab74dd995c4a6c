/**
 * The install scripts scripts/test.sh runs before vitest starts. With the tools in place (this file
 * only locates them, and fails naming the script to run when they are missing), a second run is
 * quick and prints the bin folder last, which is how every caller finds the tools.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireInstalled, toolPath, toolsBinDir, toolsCacheRoot } from '../../scripts/tools.js';
import { repoRoot } from '../helpers/cli.js';
import { motoServerPath } from '../helpers/moto.js';
import { runOk } from '../helpers/spawn.js';

async function rerun(script: string, args: string[] = []): Promise<{ seconds: number; last: string }> {
  const started = performance.now();
  const { stdout } = await runOk('bash', [join(repoRoot, 'scripts', script), ...args]);
  return { seconds: (performance.now() - started) / 1000, last: stdout.trim().split('\n').pop()! };
}

describe('scripts/install-moto.sh', () => {
  it.skipIf(!!process.env.MOTO_SERVER)('is idempotent: with moto installed a second run is quick and prints the bin folder last', async () => {
    motoServerPath();
    const { seconds, last } = await rerun('install-moto.sh');
    expect(seconds).toBeLessThan(5);
    expect(last).toMatch(/\/moto-5\.2\/venv\/bin$/);
    expect(existsSync(join(last, 'moto_server'))).toBe(true);
  });
});

describe('scripts/install-tools.sh', () => {
  it('is idempotent: with the tools installed a second run is quick and prints the bin folder last', async () => {
    for (const tool of ['s5cmd', 'versitygw', 'toxiproxy-server', 'node24']) toolPath(tool);
    const { seconds, last } = await rerun('install-tools.sh', ['core', 'toxiproxy', 'node24']);
    expect(seconds).toBeLessThan(5);
    expect(last).toBe(toolsBinDir());
  });
});

describe('scripts/install-lint-tools.sh', () => {
  const skip = process.env.S3DS_SKIP_LINT === '1';
  it.skipIf(skip)('is idempotent: with the lint tools installed a second run is quick and prints the bin folder last', async () => {
    toolPath('tflint');
    toolPath('checkov');
    requireInstalled(join(toolsCacheRoot(), 'tflint-plugins', 'tflint-ruleset-aws'), 'tflint-ruleset-aws', 'scripts/install-lint-tools.sh');
    const { seconds, last } = await rerun('install-lint-tools.sh');
    expect(seconds).toBeLessThan(5);
    expect(last).toMatch(process.env.S3DS_TOOLS_CACHE ? /\/bin$/ : /s3-direct-sync\/tools\/bin$/);
    expect(last).toBe(toolsBinDir());
  });
});
