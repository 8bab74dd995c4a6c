import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { repoRoot } from '../helpers/cli.js';
import { examplePreset } from '../helpers/presets.js';
import { run } from '../helpers/spawn.js';
import { ENVIRONMENTS, parseAttributes, tfvarsPath } from '../unit/terraform/hcl.js';

// The real Terraform renders each environment's container environment and its two schedules, offline:
// `terraform test` with a mocked AWS provider plans the root with <env>.tfvars and checks the module's
// outputs (what the task definition's `environment` holds, entry for entry: test/unit/terraform/
// runtime.test.ts pins that mapping; and each schedule's expression, state, group and the TaskOverride
// its target passes to RunTask). Needs a terraform binary and the AWS provider in a local plugin directory
// (TERRAFORM_PLUGIN_DIR, default /opt/tf-plugins); skipped without them.
const PLUGIN_DIR = process.env.TERRAFORM_PLUGIN_DIR ?? '/opt/tf-plugins';
const terraform = (process.env.PATH ?? '')
  .split(delimiter)
  .map((d) => join(d, 'terraform'))
  .find((p) => existsSync(p));
const available = terraform !== undefined && existsSync(join(PLUGIN_DIR, 'registry.terraform.io', 'hashicorp', 'aws'));

const MOCKS = `mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_region" {
    defaults = { name = "ap-northeast-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{}" }
  }
}

variables {
  vpc_id     = "vpc-0123456789abcdef0"
  subnet_ids = ["subnet-0123456789abcdef0"]
}
`;

/** A run block that plans with `variables` and requires each `[condition, message]` of `asserts`. */
function runBlock(name: string, variables: Record<string, unknown>, asserts: Array<[string, string]>): string {
  const vars = Object.entries(variables).map(([k, v]) => `    ${k} = ${JSON.stringify(v)}\n`);
  const checks = asserts.map(([condition, message]) => `  assert {\n    condition     = ${condition}\n    error_message = ${JSON.stringify(message)}\n  }\n`);
  return `run "${name}" {
  command = plan
  variables {
${vars.join('')}  }
${checks.join('')}}
`;
}

/** Requires output.container_environment to equal `expected`, entry for entry. */
const environmentIs = (expected: Record<string, string>): [string, string] => [
  `jsonencode(output.container_environment) == jsonencode(${JSON.stringify(expected)})`,
  'container_environment is ${jsonencode(output.container_environment)}',
];

/** Requires the rendered schedule `key` (output.schedules, read from the resource) to equal `expected`. */
const scheduleIs = (key: string, expected: Record<string, unknown>): [string, string] => [
  `jsonencode(output.schedules.${key}) == jsonencode(${JSON.stringify(expected)})`,
  `schedule ${key} is \${jsonencode(output.schedules.${key})}`,
];

/** What each environment's two schedules are as deployed: one group, the daily window in the daily command only. */
function expectedSchedules(env: (typeof ENVIRONMENTS)[number]): Record<'daily' | 'weekly', Record<string, unknown>> {
  const name = `s3-direct-sync-${env}`;
  const overrides = (command: string[]) => ({ containerOverrides: [{ command, name: 's3-direct-sync' }] });
  return {
    daily: {
      expression: 'cron(30 1 * * ? *)',
      group: name,
      name: `${name}-daily`,
      overrides: overrides(['sync', '--json', '--date-from=-10d']),
      state: 'ENABLED',
    },
    weekly: {
      expression: 'cron(30 13 ? * SUN *)',
      group: name,
      name: `${name}-weekly`,
      overrides: overrides(['sync', '--json']),
      state: 'ENABLED',
    },
  };
}

/** What a default task of the environment carries: S3DS_ENV, the locations, and the values other resources depend on. */
async function expectedDefault(env: (typeof ENVIRONMENTS)[number]): Promise<Record<string, string>> {
  const tfvars = await parseAttributes(tfvarsPath(env));
  const preset = examplePreset(env);
  return {
    S3DS_ENV: env,
    S3DS_SOURCE: 's3://data.binance.vision/data/',
    S3DS_SOURCE_REGION: 'ap-northeast-1',
    S3DS_PREFIX: (tfvars.source_prefixes as string[]).join(','),
    S3DS_DESTINATION: `s3://${preset.destination_bucket}/binance/archive/`,
    S3DS_DESTINATION_ETAGS: 'opaque',
    S3DS_SYNC_MODE: String(tfvars.sync_mode),
    S3DS_SHUTDOWN_DEADLINE_SECONDS: '90',
    S3DS_METRICS: 'emf',
    S3DS_MONITORING: String(tfvars.enable_monitoring),
    S3DS_COST_TRACKING: String(tfvars.enable_cost_tracking),
  };
}

/** Module-level runs: the schedule switches and the window, which the root leaves at their defaults. */
const MODULE_RUNS = `variables {
  environment             = "dev"
  destination_bucket      = "dev-crypto-lakehouse-bronze"
  destination_kms_key_arn = "arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  vpc_id                  = "vpc-0123456789abcdef0"
  subnet_ids              = ["subnet-0123456789abcdef0"]
  task_size               = { cpu = 512, memory = 1024 }
}

run "weekly_only_with_a_3_day_window" {
  command = plan
  variables {
    daily_schedule_enabled = false
    daily_window_days      = 3
  }
  assert {
    condition     = output.schedules.daily.state == "DISABLED" && output.schedules.weekly.state == "ENABLED"
    error_message = "states: \${jsonencode(output.schedules)}"
  }
  assert {
    condition     = jsonencode(output.schedules.daily.overrides.containerOverrides[0].command) == jsonencode(["sync", "--json", "--date-from=-3d"])
    error_message = "daily: \${jsonencode(output.schedules.daily)}"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.did_not_report.evaluation_periods == 7 && aws_cloudwatch_metric_alarm.did_not_report.datapoints_to_alarm == 7
    error_message = "did-not-report evaluates \${aws_cloudwatch_metric_alarm.did_not_report.evaluation_periods} days"
  }
}

run "no_window_of_0_days" {
  command = plan
  variables {
    daily_window_days = 0
  }
  expect_failures = [var.daily_window_days]
}

run "no_window_through_extra_environment" {
  command = plan
  variables {
    extra_environment = { S3DS_DATE_FROM = "-3d" }
  }
  expect_failures = [var.extra_environment]
}
`;

describe.skipIf(!available)('terraform renders the task environment and the schedules (terraform test, mocked AWS provider)', () => {
  let dir: string;
  let root: string;
  const tfEnv = { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3ds-tf-env-'));
    cpSync(join(repoRoot, 'terraform'), join(dir, 'terraform'), { recursive: true, filter: (src) => !src.includes('.terraform') });
    root = join(dir, 'terraform', 'environments');
    const init = await run(terraform!, ['init', '-backend=false', '-input=false', '-no-color', `-plugin-dir=${PLUGIN_DIR}`], {
      cwd: root,
      env: tfEnv,
      timeoutMs: 5 * 60_000,
    });
    expect(init.code, init.stdout + init.stderr).toBe(0);
  }, 6 * 60_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(ENVIRONMENTS)(
    '%s: only S3DS_ENV and the required values by default; max_concurrent adds exactly S3DS_MAX_CONCURRENT; a daily and a weekly schedule',
    async (env) => {
      const expected = await expectedDefault(env);
      const schedules = expectedSchedules(env);
      const file = join('tests', `${env}.tftest.hcl`);
      const blocks = [
        runBlock('defaults', {}, [environmentIs(expected), scheduleIs('daily', schedules.daily), scheduleIs('weekly', schedules.weekly)]),
        runBlock('one_override', { max_concurrent: 64 }, [environmentIs({ ...expected, S3DS_MAX_CONCURRENT: '64' })]),
      ];
      mkdirSync(join(root, 'tests'), { recursive: true });
      writeFileSync(join(root, file), MOCKS + blocks.join('\n'));
      const r = await run(terraform!, ['test', '-no-color', `-filter=${file}`, `-var-file=${env}.tfvars`], { cwd: root, env: tfEnv, timeoutMs: 5 * 60_000 });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/2 passed, 0 failed/);
    },
    6 * 60_000,
  );

  it(
    'module: each schedule has its switch, the daily window is validated and cannot come through extra_environment',
    async () => {
      const moduleDir = join(dir, 'terraform', 'modules', 's3-direct-sync');
      const init = await run(terraform!, ['init', '-backend=false', '-input=false', '-no-color', `-plugin-dir=${PLUGIN_DIR}`], {
        cwd: moduleDir,
        env: tfEnv,
        timeoutMs: 5 * 60_000,
      });
      expect(init.code, init.stdout + init.stderr).toBe(0);
      mkdirSync(join(moduleDir, 'tests'), { recursive: true });
      writeFileSync(join(moduleDir, 'tests', 'schedules.tftest.hcl'), MOCKS.slice(0, MOCKS.indexOf('variables {')) + MODULE_RUNS);
      const r = await run(terraform!, ['test', '-no-color'], { cwd: moduleDir, env: tfEnv, timeoutMs: 5 * 60_000 });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/3 passed, 0 failed/);
    },
    11 * 60_000,
  );
});
