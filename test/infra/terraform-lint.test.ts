import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { requireInstalled, toolPath, toolsCacheRoot } from '../../scripts/tools.js';
import { repoRoot } from '../helpers/cli.js';
import { run } from '../helpers/spawn.js';

// Runs the real linters (tflint + AWS ruleset, checkov, terraform fmt when present). The tools are
// installed before the tests start (scripts/test.sh runs scripts/install-lint-tools.sh); this test
// only locates them. S3DS_SKIP_LINT=1 skips it.
describe('terraform lint', () => {
  it.skipIf(process.env.S3DS_SKIP_LINT === '1')(
    'scripts/lint-terraform.sh passes',
    async () => {
      toolPath('tflint');
      toolPath('checkov');
      requireInstalled(join(toolsCacheRoot(), 'tflint-plugins', 'tflint-ruleset-aws'), 'tflint-ruleset-aws', 'scripts/install-lint-tools.sh');

      const lint = await run('bash', [join(repoRoot, 'scripts/lint-terraform.sh')], { cwd: repoRoot, timeoutMs: 20 * 60_000 });
      expect(lint.code, `${lint.stdout}\n${lint.stderr}`).toBe(0);
      expect(lint.stdout).toMatch(/Failed checks: 0/);
      expect(lint.stdout).toContain('lint-terraform: all checks passed');
    },
    30 * 60_000,
  );
});
