/** Pure pieces of a fan-out launch: validation, each shard's command and its RunTask request. */
import type { RunTaskCommandInput } from '@aws-sdk/client-ecs';
import { UsageError } from '../exit-codes.js';
import type { LaunchOptions } from './types.js';

export const STARTED_BY = 's3-direct-sync';
export const SHARD_TAG = 's3-direct-sync:shard';
export const LAUNCH_ID_TAG = 's3-direct-sync:launch-id';
/** ECS rejects overrides above 8192 characters (JSON). */
export const MAX_OVERRIDES_CHARS = 8192;

export function shardLabel(index: number, count: number): string {
  return `${index}/${count}`;
}

/** The job's command for shard i of N: baseCommand, then `--shard i/N`. */
export function buildShardCommand(baseCommand: readonly string[], index: number, count: number): string[] {
  if (baseCommand.some((a) => a === '--shard' || a.startsWith('--shard='))) {
    throw new UsageError('the base command must not contain --shard: the launcher adds one per task');
  }
  return [...baseCommand, '--shard', shardLabel(index, count)];
}

type ValidatedFields = Pick<
  LaunchOptions,
  'cluster' | 'taskDefinition' | 'containerName' | 'shards' | 'subnets' | 'securityGroups' | 'baseCommand' | 'environment' | 'capacityProvider'
> &
  Partial<Pick<LaunchOptions, 'pollIntervalMs' | 'timeoutMs' | 'launchConcurrency' | 'launchAttempts' | 'launchId'>>;

/** Every problem with the options at once, as one UsageError (exit code 2). */
export function validateLaunchOptions(o: ValidatedFields): void {
  const problems: string[] = [];
  const nonEmpty = (v: unknown, name: string) => {
    if (typeof v !== 'string' || v.trim() === '') problems.push(`${name} is required`);
  };
  nonEmpty(o.cluster, 'cluster');
  nonEmpty(o.taskDefinition, 'task definition');
  nonEmpty(o.containerName, 'container name');
  if (!Number.isInteger(o.shards) || o.shards < 1) problems.push(`shards must be an integer >= 1, got ${String(o.shards)}`);
  if (!Array.isArray(o.subnets) || o.subnets.length === 0 || o.subnets.some((s) => !/^subnet-[0-9a-z]+$/.test(s))) {
    problems.push(`subnets must be one or more subnet ids (subnet-...), got [${(o.subnets ?? []).join(', ')}]`);
  } else if (o.subnets.length > 16) problems.push('at most 16 subnets');
  if (!Array.isArray(o.securityGroups) || o.securityGroups.length === 0 || o.securityGroups.some((s) => !/^sg-[0-9a-z]+$/.test(s))) {
    problems.push(`security groups must be one or more security group ids (sg-...), got [${(o.securityGroups ?? []).join(', ')}]`);
  } else if (o.securityGroups.length > 5) problems.push('at most 5 security groups');
  if (o.capacityProvider !== undefined && o.capacityProvider !== 'FARGATE' && o.capacityProvider !== 'FARGATE_SPOT') {
    problems.push(`capacity provider must be FARGATE or FARGATE_SPOT, got '${String(o.capacityProvider)}'`);
  }
  if (!Array.isArray(o.baseCommand) || o.baseCommand.length === 0 || o.baseCommand.some((a) => typeof a !== 'string')) {
    problems.push('base command must be a non-empty list of strings (e.g. sync --json)');
  } else if (o.baseCommand.some((a) => a === '--shard' || a.startsWith('--shard='))) {
    problems.push('the base command must not contain --shard: the launcher adds one per task');
  }
  for (const [k, v] of Object.entries(o.environment ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) problems.push(`environment variable name '${k}' is not valid`);
    if (typeof v !== 'string') problems.push(`environment variable ${k} must be a string`);
  }
  const positive = (v: number | undefined, name: string, min = 1) => {
    if (v !== undefined && (!Number.isFinite(v) || v < min)) problems.push(`${name} must be a number >= ${min}, got ${String(v)}`);
  };
  positive(o.pollIntervalMs, 'poll interval (ms)', 1);
  positive(o.timeoutMs, 'timeout (ms)', 1);
  positive(o.launchConcurrency, 'launch concurrency', 1);
  positive(o.launchAttempts, 'launch attempts', 1);
  if (o.launchId !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(o.launchId)) problems.push('launch id must be 1-32 letters, digits, - or _');
  if (problems.length === 0) {
    // The largest override is the one of the last shard (longest --shard label).
    const overrides = buildRunTaskInput({ ...(o as LaunchOptions), launchId: o.launchId ?? 'x'.repeat(12) }, o.shards - 1, 1).overrides;
    const size = JSON.stringify(overrides).length;
    if (size > MAX_OVERRIDES_CHARS)
      problems.push(`the container overrides (command and environment) take ${size} characters; ECS allows ${MAX_OVERRIDES_CHARS}`);
  }
  if (problems.length > 0) throw new UsageError(`launch: ${problems.join('; ')}`);
}

/** The RunTask request of shard `index` (count 1). */
export function buildRunTaskInput(
  o: Pick<
    LaunchOptions,
    | 'cluster'
    | 'taskDefinition'
    | 'containerName'
    | 'shards'
    | 'subnets'
    | 'securityGroups'
    | 'assignPublicIp'
    | 'capacityProvider'
    | 'baseCommand'
    | 'environment'
    | 'tagTasks'
  > & {
    launchId: string;
  },
  index: number,
  attempt: number,
): RunTaskCommandInput {
  const shard = shardLabel(index, o.shards);
  const environment = Object.entries(o.environment ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ({ name, value }));
  const input: RunTaskCommandInput = {
    cluster: o.cluster,
    taskDefinition: o.taskDefinition,
    count: 1,
    startedBy: STARTED_BY,
    // Idempotent retries of the same attempt (the SDK retries on network errors); a new attempt after
    // a reported failure needs a new token. At most 64 characters.
    clientToken: `${o.launchId}-${index}-${attempt}`.slice(0, 64),
    platformVersion: 'LATEST',
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: [...o.subnets],
        securityGroups: [...o.securityGroups],
        assignPublicIp: o.assignPublicIp ? 'ENABLED' : 'DISABLED',
      },
    },
    overrides: {
      containerOverrides: [
        {
          name: o.containerName,
          command: buildShardCommand(o.baseCommand, index, o.shards),
          ...(environment.length > 0 ? { environment } : {}),
        },
      ],
    },
  };
  if (o.capacityProvider) input.capacityProviderStrategy = [{ capacityProvider: o.capacityProvider, weight: 1, base: 0 }];
  else input.launchType = 'FARGATE';
  if (o.tagTasks !== false) {
    input.tags = [
      { key: SHARD_TAG, value: shard },
      { key: LAUNCH_ID_TAG, value: o.launchId },
    ];
  }
  return input;
}

/** RunTask failure reasons worth another attempt: no capacity right now, throttling. */
export function isTransientLaunchFailure(reason: string): boolean {
  return /capacity|RESOURCE:|throttl|rate exceeded|try again/i.test(reason);
}

/** Region of an ARN (arn:aws:ecs:REGION:ACCOUNT:cluster/NAME), or undefined for a plain name. */
export function regionFromArn(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts[0] === 'arn' && parts.length >= 6 && parts[3] ? parts[3] : undefined;
}
