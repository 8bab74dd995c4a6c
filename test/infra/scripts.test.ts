/**
 * scripts/run-task.sh and scripts/deploy.sh: their dry runs print the real steps; real runs go
 * through fake `aws`, `terraform` and `docker` programs that record their arguments, so the exit
 * codes, the order of the steps and the handling of the ECR password are checked without AWS.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { run, type Ran } from '../helpers/spawn.js';

const RUN_TASK = join(repoRoot, 'scripts', 'run-task.sh');
const DEPLOY = join(repoRoot, 'scripts', 'deploy.sh');
const CLUSTER = 'arn:aws:ecs:ap-northeast-1:123456789012:cluster/s3-direct-sync-dev';
const SUBNETS = 'subnet-0123456789abcdef0,subnet-0fedcba9876543210';
const SG = 'sg-0123456789abcdef0';
const ECR = '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/s3-direct-sync-dev';
const PASSWORD = 'ecr-login-password-must-not-be-printed-0123456789';
const TASK_ARN = 'arn:aws:ecs:ap-northeast-1:123456789012:task/s3-direct-sync-dev/0123456789abcdef0123456789abcdef';

const TARGET_ENV = { S3DS_CLUSTER: CLUSTER, S3DS_TASK_DEFINITION: 's3-direct-sync-dev', S3DS_SUBNETS: SUBNETS, S3DS_SECURITY_GROUPS: SG };

let tmp: string;
/** Directory with only node, git and a few coreutils: no aws, terraform, docker or podman. */
let bareBin: string;

function runScript(script: string, args: string[], env: Record<string, string>, path: string): Promise<Ran> {
  return run('/bin/bash', [script, ...args], { cwd: repoRoot, env: { PATH: path, HOME: process.env.HOME ?? tmp, LANG: 'C.UTF-8', ...env } });
}

/** A bin directory of fake programs (bash bodies) that log "name args" lines to FAKE_LOG. */
function fakeBin(name: string, programs: Record<string, string>): { dir: string; log: string; calls: () => string[] } {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  const log = join(dir, 'calls.log');
  writeFileSync(log, '');
  for (const [prog, body] of Object.entries(programs)) {
    const file = join(dir, prog);
    writeFileSync(file, `#!/bin/bash\nprintf '%s\\n' "${prog} $*" >> ${JSON.stringify(log)}\n${body}\n`);
    chmodSync(file, 0o755);
  }
  return { dir, log, calls: () => readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

function lines(text: string): string[] {
  return text.split('\n').filter(Boolean);
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 's3ds-scripts-'));
  bareBin = join(tmp, 'bare');
  mkdirSync(bareBin);
  symlinkSync(process.execPath, join(bareBin, 'node'));
  for (const tool of ['git', 'timeout', 'sleep']) {
    const real = ['/usr/bin', '/bin', '/usr/local/bin'].map((d) => join(d, tool)).find((p) => existsSync(p));
    if (real) symlinkSync(real, join(bareBin, tool));
  }
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('scripts/run-task.sh', () => {
  it('dry run of one task on dev: Fargate Spot as in its Terraform, the job command as an override', async () => {
    const r = await runScript(RUN_TASK, ['dev', '--dry-run', '--', '--log-level', 'debug', '--prefix', "spot/it's/"], TARGET_ENV, bareBin);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toBe('[dry-run] aws sts get-caller-identity --region ap-northeast-1');
    expect(out[1]).toBe(
      `[dry-run] aws ecs run-task --region ap-northeast-1 --cluster ${CLUSTER} --task-definition s3-direct-sync-dev --count 1 ` +
        `--capacity-provider-strategy capacityProvider=FARGATE_SPOT,weight=1,base=0 --platform-version LATEST ` +
        `--network-configuration 'awsvpcConfiguration={subnets=[${SUBNETS}],securityGroups=[${SG}],assignPublicIp=DISABLED}' ` +
        `--started-by s3-direct-sync --overrides ` +
        `'{"containerOverrides":[{"name":"s3-direct-sync","command":["sync","--env","dev","--json","--log-level",` +
        `"debug","--prefix","spot/it'\\''s/"]}]}' --output json`,
    );
    expect(out).toHaveLength(2);
    // Every setting came from the variables: Terraform was not asked.
    expect(r.stderr).not.toContain('Terraform outputs');
  });

  it('dry run on prod uses on-demand Fargate; --capacity-provider overrides it', async () => {
    const env = { ...TARGET_ENV, S3DS_CLUSTER: 's3-direct-sync-prod', AWS_REGION: 'eu-west-1' };
    const prod = await runScript(RUN_TASK, ['prod', '--dry-run'], env, bareBin);
    expect(prod.code).toBe(0);
    expect(prod.stdout).toContain('--region eu-west-1 --cluster s3-direct-sync-prod');
    expect(prod.stdout).toContain('--count 1 --launch-type FARGATE --platform-version LATEST');
    expect(prod.stdout).toContain('"command":["sync","--env","prod","--json"]');
    const spot = await runScript(RUN_TASK, ['prod', '--capacity-provider', 'FARGATE_SPOT', '--dry-run'], env, bareBin);
    expect(spot.stdout).toContain('--capacity-provider-strategy capacityProvider=FARGATE_SPOT,weight=1,base=0');
  });

  it('dry run with --shards N > 1 runs the launch command with every setting', async () => {
    const r = await runScript(RUN_TASK, ['staging', '--shards', '3', '--wait', '--dry-run', '--', '--log-level', 'debug'], TARGET_ENV, bareBin);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([
      '[dry-run] aws sts get-caller-identity --region ap-northeast-1',
      '[dry-run] export AWS_REGION=ap-northeast-1',
      `[dry-run] node ${join(repoRoot, 'dist/cli/main.js')} launch --cluster ${CLUSTER} --task-definition s3-direct-sync-dev --container-name s3-direct-sync ` +
        `--shards 3 --subnets ${SUBNETS} --security-groups ${SG} --capacity-provider FARGATE_SPOT --wait -- sync --env staging --json --log-level debug`,
    ]);
  });

  it('reads missing settings from the Terraform outputs', async () => {
    const outputs = {
      cluster_arn: { value: CLUSTER },
      task_definition_arn: { value: 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/s3-direct-sync-dev:7' },
      subnet_ids: { value: SUBNETS.split(',') },
      security_group_id: { value: SG },
    };
    const log = JSON.stringify(join(tmp, 'tf-outputs', 'calls.log'));
    const fake = fakeBin('tf-outputs', {
      terraform: `printf 'TF_DATA_DIR=%s\\n' "$TF_DATA_DIR" >> ${log}; printf '%s' ${JSON.stringify(JSON.stringify(outputs))}`,
    });
    const r = await runScript(RUN_TASK, ['dev', '--dry-run'], {}, `${fake.dir}:${bareBin}`);
    expect(r.code).toBe(0);
    // One root for every environment: dev's own data directory selects dev's state.
    expect(fake.calls()).toEqual([`terraform -chdir=${join(repoRoot, 'terraform/environments')} output -json`, 'TF_DATA_DIR=.terraform/dev']);
    expect(r.stdout).toContain(`--cluster ${CLUSTER} --task-definition arn:aws:ecs:ap-northeast-1:123456789012:task-definition/s3-direct-sync-dev:7`);
    expect(r.stdout).toContain(`subnets=[${SUBNETS}],securityGroups=[${SG}]`);
  });

  it('names every missing setting (exit 78) when neither variables nor Terraform know them', async () => {
    const fake = fakeBin('tf-empty', { terraform: "printf '{}'" });
    const r = await runScript(RUN_TASK, ['dev'], { S3DS_CLUSTER: CLUSTER }, `${fake.dir}:${bareBin}`);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('missing settings for dev: S3DS_TASK_DEFINITION');
    expect(r.stderr).toContain('S3DS_SUBNETS');
    expect(r.stderr).toContain('S3DS_SECURITY_GROUPS');
    expect(r.stderr).toContain('has no outputs here');
    expect(r.stderr).not.toContain('S3DS_CLUSTER (');
  });

  it('refuses bad usage with exit 64', async () => {
    for (const args of [
      ['qa'],
      ['dev', '--shards', 'x'],
      ['dev', '--shards', '0'],
      ['dev', '--bogus'],
      ['dev', '--', '--shard', '1/2'],
      ['dev', '--capacity-provider', 'EC2'],
    ]) {
      const r = await runScript(RUN_TASK, args, TARGET_ENV, bareBin);
      expect(r.code, args.join(' ')).toBe(64);
      expect(r.stderr).toMatch(/^run-task: /);
    }
  });

  it('says which tool is missing (exit 69) and when credentials do not work (exit 77)', async () => {
    const noAws = await runScript(RUN_TASK, ['dev'], TARGET_ENV, bareBin);
    expect(noAws.code).toBe(69);
    expect(noAws.stderr).toContain('the AWS CLI (aws) is required');

    const fake = fakeBin('aws-nocreds', { aws: 'echo "Unable to locate credentials" >&2; exit 255' });
    const noCreds = await runScript(RUN_TASK, ['dev'], TARGET_ENV, `${fake.dir}:${bareBin}`);
    expect(noCreds.code).toBe(77);
    expect(noCreds.stderr).toContain("'aws sts get-caller-identity' failed");
    expect(fake.calls()).toEqual(['aws sts get-caller-identity --region ap-northeast-1 --output text --query Arn']);
  });

  it('runs one task and, with --wait, exits with its exit code', async () => {
    const state = join(tmp, 'describe-count');
    writeFileSync(state, '0');
    const fake = fakeBin('aws-run', {
      aws:
        `case "$1 $2" in
  "sts get-caller-identity") echo arn:aws:iam::123456789012:user/ops ;;
  "ecs run-task") echo '{"tasks":[{"taskArn":"${TASK_ARN}","lastStatus":"PROVISIONING"}],"failures":[]}' ;;
  "ecs describe-tasks")
    n=$(( $(<${state}) + 1 )); echo $n > ${state}
    if [ $n -lt 2 ]; then echo '{"tasks":[{"taskArn":"${TASK_ARN}","lastStatus":"RUNNING","containers":[{"name":"s3-direct-sync"}]}]}'
    else echo '{"tasks":[{"taskArn":"${TASK_ARN}","lastStatus":"STOPPED","stoppedReason":"Essential container ` +
        `in task exited","containers":[{"name":"s3-direct-sync","exitCode":5}]}]}'; fi ;;
  *) exit 9 ;;
esac`,
    });
    const r = await runScript(RUN_TASK, ['dev', '--wait'], { ...TARGET_ENV, S3DS_POLL_SECONDS: '1' }, `${fake.dir}:${bareBin}`);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`started ${TASK_ARN}`);
    expect(r.stderr).toContain('stopped: Essential container in task exited; exit code 5');
    const calls = fake.calls();
    expect(calls[1]).toMatch(/^aws ecs run-task --region ap-northeast-1 --cluster \S+ --task-definition s3-direct-sync-dev --count 1 /);
    expect(calls[1]).toContain('--overrides {"containerOverrides":[{"name":"s3-direct-sync","command":["sync","--env","dev","--json"]}]}');
    expect(calls.slice(2)).toEqual([
      `aws ecs describe-tasks --region ap-northeast-1 --cluster ${CLUSTER} --tasks ${TASK_ARN} --output json`,
      `aws ecs describe-tasks --region ap-northeast-1 --cluster ${CLUSTER} --tasks ${TASK_ARN} --output json`,
    ]);

    // Without --wait it prints the task ARN and returns.
    writeFileSync(state, '0');
    const noWait = await runScript(RUN_TASK, ['dev'], TARGET_ENV, `${fake.dir}:${bareBin}`);
    expect(noWait.code).toBe(0);
    expect(noWait.stdout.trim()).toBe(TASK_ARN);
    expect(noWait.stderr).toContain('aws logs tail /s3-direct-sync/dev --follow');
  });

  it('with --wait, passes on exit 6 (another run holds the lease) as 6, not as a crash', async () => {
    const fake = fakeBin('aws-run-6', {
      aws:
        `case "$1 $2" in
  "sts get-caller-identity") echo arn:aws:iam::123456789012:user/ops ;;
  "ecs run-task") echo '{"tasks":[{"taskArn":"${TASK_ARN}","lastStatus":"PROVISIONING"}],"failures":[]}' ;;
  "ecs describe-tasks") echo ` +
        `'{"tasks":[{"taskArn":"${TASK_ARN}","lastStatus":"STOPPED","stoppedReason":"Essential container in task ` +
        `exited","containers":[{"name":"s3-direct-sync","exitCode":6}]}]}' ;;
  *) exit 9 ;;
esac`,
    });
    const r = await runScript(RUN_TASK, ['dev', '--wait'], { ...TARGET_ENV, S3DS_POLL_SECONDS: '1' }, `${fake.dir}:${bareBin}`);
    expect(r.code).toBe(6);
    expect(r.stderr).toContain('exit code 6');
  });

  it('exits 4 when ECS starts no task', async () => {
    const fake = fakeBin('aws-refused', {
      aws: `case "$1 $2" in
  "sts get-caller-identity") echo ok ;;
  "ecs run-task") echo '{"tasks":[],"failures":[{"arn":"arn:aws:ecs:x","reason":"MISSING"}]}' ;;
esac`,
    });
    const r = await runScript(RUN_TASK, ['dev'], TARGET_ENV, `${fake.dir}:${bareBin}`);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('ECS started no task: MISSING');
  });
});

describe('scripts/deploy.sh', () => {
  const DEPLOY_ENV = { S3DS_ECR_REPOSITORY: ECR, S3DS_CONTAINER_ENGINE: 'docker' };

  it('dry run prints every step with its real arguments', async () => {
    const r = await runScript(DEPLOY, ['dev', '--tag', 'v1.2.3', '--dry-run'], DEPLOY_ENV, bareBin);
    expect(r.code).toBe(0);
    const steps = lines(r.stdout).filter((l) => l !== '[dry-run] terraform -chdir=terraform/environments init -input=false -backend-config=dev.s3.tfbackend');
    expect(steps).toEqual([
      '[dry-run] aws sts get-caller-identity',
      '[dry-run] export TF_DATA_DIR=.terraform/dev',
      '[dry-run] aws ecr describe-images --region ap-northeast-1 --repository-name s3-direct-sync-dev --image-ids imageTag=v1.2.3',
      '[dry-run] (when that tag exists already, the build, login and push below are skipped)',
      '[dry-run] S3DS_CONTAINER_ENGINE=docker scripts/build-image.sh s3-direct-sync:v1.2.3',
      '[dry-run] aws ecr get-login-password --region ap-northeast-1 | docker login --username AWS --password-stdin ' +
        '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com',
      `[dry-run] docker tag s3-direct-sync:v1.2.3 ${ECR}:v1.2.3`,
      `[dry-run] docker push ${ECR}:v1.2.3`,
      '[dry-run] terraform -chdir=terraform/environments apply -input=false -var-file=dev.tfvars -var image_tag=v1.2.3',
    ]);
    // Tools are missing from this PATH: a dry run only warns.
    expect(r.stderr).toContain('missing tools: docker (S3DS_CONTAINER_ENGINE), aws (the AWS CLI), terraform: a real run would stop here');
  });

  it('on a first deployment creates the repository alone before pushing', async () => {
    const fake = fakeBin('tf-none', { terraform: 'echo "Output not found" >&2; exit 1' });
    const r = await runScript(DEPLOY, ['prod', '--tag', 'v2', '--auto-approve', '--dry-run'], { S3DS_CONTAINER_ENGINE: 'podman' }, `${fake.dir}:${bareBin}`);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    const target = out.indexOf(
      '[dry-run] terraform -chdir=terraform/environments apply -input=false -target=module.s3_direct_sync.aws_ecr_repository.this ' +
        '-var-file=prod.tfvars -var image_tag=v2 -auto-approve',
    );
    const push = out.indexOf("[dry-run] podman push '<ecr_repository_url>:v2'");
    const apply = out.indexOf('[dry-run] terraform -chdir=terraform/environments apply -input=false -var-file=prod.tfvars -var image_tag=v2 -auto-approve');
    expect(out).toContain('[dry-run] export TF_DATA_DIR=.terraform/prod');
    expect(target).toBeGreaterThan(0);
    expect(push).toBeGreaterThan(target);
    expect(apply).toBe(out.length - 1);
    // Only the read-only output query actually ran.
    expect(fake.calls().every((c) => c.includes(' output -raw ecr_repository_url'))).toBe(true);
  });

  it('refuses bad usage with exit 64', async () => {
    for (const args of [
      ['uat', '--tag', 'v1'],
      ['dev', '--tag', 'latest'],
      ['dev', '--tag', '-bad'],
      ['dev', '--tag', 'a/b'],
      ['dev', '--tag', 'v1', '--force'],
    ]) {
      const r = await runScript(DEPLOY, [...args, '--dry-run'], DEPLOY_ENV, bareBin);
      expect(r.code, args.join(' ')).toBe(64);
      expect(r.stderr).toMatch(/^deploy: /);
    }
  });

  it('names the missing tools (exit 69) and stops on unusable credentials (exit 77) before building', async () => {
    const bare = await runScript(DEPLOY, ['dev', '--tag', 'v1'], {}, bareBin);
    expect(bare.code).toBe(69);
    expect(bare.stderr).toContain('missing tools: docker or podman, aws (the AWS CLI), terraform');

    const fake = fakeBin('deploy-nocreds', { aws: 'exit 255', docker: 'exit 0', terraform: 'exit 0' });
    const noCreds = await runScript(DEPLOY, ['dev', '--tag', 'v1'], DEPLOY_ENV, `${fake.dir}:${bareBin}`);
    expect(noCreds.code).toBe(77);
    expect(noCreds.stderr).toContain("'aws sts get-caller-identity' failed");
    expect(fake.calls().filter((c) => !c.startsWith('aws sts'))).toEqual([]);
  });

  it('builds, logs in through a pipe, pushes and applies, in that order, never printing the password', async () => {
    const fake = fakeBin('deploy-real', {
      aws: `case "$1 $2" in
  "sts get-caller-identity") echo arn:aws:iam::123456789012:user/ops ;;
  "ecr describe-images") echo "ImageNotFoundException" >&2; exit 254 ;;
  "ecr get-login-password") echo ${PASSWORD} ;;
  *) exit 9 ;;
esac`,
      docker: `if [ "$1" = login ]; then read -r pw; printf 'docker-login-stdin %s\\n' "$pw" >> ${JSON.stringify(join(tmp, 'deploy-real', 'calls.log'))}; fi`,
      terraform: `printf 'TF_DATA_DIR=%s\\n' "$TF_DATA_DIR" >> ${JSON.stringify(join(tmp, 'deploy-real', 'calls.log'))}
case "$*" in *"output -raw ecr_repository_url"*) printf '%s' ${ECR} ;; esac`,
    });
    // PATH keeps the system tools build-image.sh uses (sed, head...), behind the fakes.
    const r = await runScript(
      DEPLOY,
      ['dev', '--tag', 'v9.9.9', '--auto-approve'],
      { S3DS_CONTAINER_ENGINE: 'docker' },
      `${fake.dir}:${bareBin}:${process.env.PATH}`,
    );
    expect(r.stderr).not.toContain(PASSWORD);
    expect(r.stdout).not.toContain(PASSWORD);
    expect(r.code, r.stderr).toBe(0);
    // Every terraform step ran in dev's own data directory.
    expect(fake.calls().filter((c) => c.startsWith('TF_DATA_DIR='))).toEqual(Array(3).fill('TF_DATA_DIR=.terraform/dev'));
    const calls = fake
      .calls()
      .filter((c) => !c.startsWith('TF_DATA_DIR='))
      .map((c) => c.replace(/--build-arg \S+ /g, ''));
    const order = [
      'aws sts get-caller-identity',
      'terraform -chdir=terraform/environments init -input=false -backend-config=dev.s3.tfbackend',
      'terraform -chdir=terraform/environments output -raw ecr_repository_url',
      'aws ecr describe-images --region ap-northeast-1 --repository-name s3-direct-sync-dev --image-ids imageTag=v9.9.9',
      `docker build -f ${join(repoRoot, 'docker/Dockerfile')} -t s3-direct-sync:v9.9.9`,
      'docker login --username AWS --password-stdin 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com',
      `docker-login-stdin ${PASSWORD}`,
      `docker tag s3-direct-sync:v9.9.9 ${ECR}:v9.9.9`,
      `docker push ${ECR}:v9.9.9`,
      'terraform -chdir=terraform/environments apply -input=false -var-file=dev.tfvars -var image_tag=v9.9.9 -auto-approve',
    ];
    const positions = order.map((prefix) => calls.findIndex((c) => c.startsWith(prefix)));
    expect(positions, calls.join('\n')).not.toContain(-1);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    // Both ends of the login pipe run at once: the password is fetched after the build, before the tag.
    const fetchPassword = calls.indexOf('aws ecr get-login-password --region ap-northeast-1');
    expect(fetchPassword).toBeGreaterThan(positions[4]!);
    expect(fetchPassword).toBeLessThan(positions[7]!);
    expect(r.stderr).toContain(`deployed ${ECR}:v9.9.9 to dev`);
  });

  it('skips the build and push when the tag is in ECR already', async () => {
    const fake = fakeBin('deploy-existing', {
      aws: `case "$1 $2" in
  "sts get-caller-identity"|"ecr describe-images") echo ok ;;
  *) exit 9 ;;
esac`,
      docker: 'exit 0',
      terraform: 'exit 0',
    });
    const r = await runScript(DEPLOY, ['staging', '--tag', 'v3'], DEPLOY_ENV, `${fake.dir}:${bareBin}`);
    expect(r.code).toBe(0);
    expect(fake.calls().some((c) => c.startsWith('docker '))).toBe(false);
    expect(fake.calls().at(-1)).toBe('terraform -chdir=terraform/environments apply -input=false -var-file=staging.tfvars -var image_tag=v3');
  });
});
