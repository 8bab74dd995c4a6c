import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './hcl.js';

// Runs the real linters (tflint + AWS ruleset, checkov, terraform fmt when present). The first run
// builds tflint and the ruleset with Go and installs checkov: minutes. S3DS_SKIP_LINT=1 skips it.
describe('terraform lint', () => {
  it.skipIf(process.env.S3DS_SKIP_LINT === '1')(
    'scripts/lint-terraform.sh passes',
    () => {
      const install = spawnSync('bash', [path.join(repoRoot, 'scripts/install-lint-tools.sh')], {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 40 * 60_000,
      });
      expect(install.status, install.stderr).toBe(0);
      expect(install.stdout.trim().split('\n').pop()).toMatch(process.env.S3DS_TOOLS_CACHE ? /\/bin$/ : /s3-direct-sync\/tools\/bin$/);

      const lint = spawnSync('bash', [path.join(repoRoot, 'scripts/lint-terraform.sh')], {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 20 * 60_000,
      });
      expect(lint.status, `${lint.stdout}\n${lint.stderr}`).toBe(0);
      expect(lint.stdout).toMatch(/Failed checks: 0/);
      expect(lint.stdout).toContain('lint-terraform: all checks passed');
    },
    60 * 60_000,
  );
});
