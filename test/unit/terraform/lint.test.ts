import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './hcl.js';

// Runs the real linters (tflint + AWS ruleset, checkov, terraform fmt when present). The first run
// builds tflint and the ruleset with Go and installs checkov: minutes (scripts/test.sh does it before
// vitest starts). S3DS_SKIP_LINT=1 skips it. Child processes run asynchronously: a synchronous spawn
// blocks the worker, and vitest then fails the whole run with "Timeout calling onTaskUpdate".
interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}
function run(script: string, timeout: number): Promise<Ran> {
  return new Promise((resolve) => {
    execFile('bash', [path.join(repoRoot, script)], { cwd: repoRoot, encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}
describe('terraform lint', () => {
  it.skipIf(process.env.S3DS_SKIP_LINT === '1')(
    'scripts/lint-terraform.sh passes',
    async () => {
      const install = await run('scripts/install-lint-tools.sh', 40 * 60_000);
      expect(install.status, install.stderr).toBe(0);
      expect(install.stdout.trim().split('\n').pop()).toMatch(process.env.S3DS_TOOLS_CACHE ? /\/bin$/ : /s3-direct-sync\/tools\/bin$/);

      const lint = await run('scripts/lint-terraform.sh', 20 * 60_000);
      expect(lint.status, `${lint.stdout}\n${lint.stderr}`).toBe(0);
      expect(lint.stdout).toMatch(/Failed checks: 0/);
      expect(lint.stdout).toContain('lint-terraform: all checks passed');
    },
    60 * 60_000,
  );
});
