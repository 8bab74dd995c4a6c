import type { ECSClient } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { ExitCode, UsageError } from '../../../src/exit-codes.js';
import {
  LAUNCH_ID_TAG,
  MAX_OVERRIDES_CHARS,
  SHARD_TAG,
  buildRunTaskInput,
  buildShardCommand,
  isTransientLaunchFailure,
  regionFromArn,
  validateLaunchOptions,
} from '../../../src/fanout/command.js';
import type { LaunchOptions } from '../../../src/fanout/types.js';
import { parseShard } from '../../../src/plan/shard.js';

const base: LaunchOptions = {
  ecs: {} as ECSClient,
  cluster: 'arn:aws:ecs:ap-northeast-1:123456789012:cluster/s3-direct-sync-prod',
  taskDefinition: 's3-direct-sync-prod',
  containerName: 's3-direct-sync',
  shards: 4,
  subnets: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
  securityGroups: ['sg-0123456789abcdef0'],
  baseCommand: ['sync', '--env', 'prod', '--json'],
};

describe('buildShardCommand', () => {
  it('appends --shard i/N to the base command', () => {
    expect(buildShardCommand(['sync', '--json'], 2, 8)).toEqual(['sync', '--json', '--shard', '2/8']);
  });

  it('refuses a base command that already shards', () => {
    expect(() => buildShardCommand(['sync', '--shard', '0/2'], 0, 4)).toThrow(UsageError);
    expect(() => buildShardCommand(['sync', '--shard=0/2'], 0, 4)).toThrow(/must not contain --shard/);
  });

  it('gives every shard a label the job parses, each index once', () => {
    const n = 7;
    const seen = Array.from({ length: n }, (_, i) => {
      const cmd = buildShardCommand(['sync'], i, n);
      return parseShard(cmd[cmd.length - 1]!);
    });
    expect(seen.map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(new Set(seen.map((s) => s.count))).toEqual(new Set([n]));
  });
});

describe('buildRunTaskInput', () => {
  it('runs one task with the shard command, awsvpc network, FARGATE launch type, tags and startedBy', () => {
    const input = buildRunTaskInput({ ...base, launchId: 'abc123', environment: { S3DS_LOG_LEVEL: 'debug', A_FIRST: '1' } }, 3, 1);
    expect(input).toEqual({
      cluster: base.cluster,
      taskDefinition: 's3-direct-sync-prod',
      count: 1,
      startedBy: 's3-direct-sync',
      clientToken: 'abc123-3-1',
      platformVersion: 'LATEST',
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: { subnets: base.subnets, securityGroups: base.securityGroups, assignPublicIp: 'DISABLED' },
      },
      overrides: {
        containerOverrides: [
          {
            name: 's3-direct-sync',
            command: ['sync', '--env', 'prod', '--json', '--shard', '3/4'],
            environment: [
              { name: 'A_FIRST', value: '1' },
              { name: 'S3DS_LOG_LEVEL', value: 'debug' },
            ],
          },
        ],
      },
      tags: [
        { key: SHARD_TAG, value: '3/4' },
        { key: LAUNCH_ID_TAG, value: 'abc123' },
      ],
    });
  });

  it('uses a capacity provider strategy instead of a launch type for FARGATE_SPOT, and can skip tags and public IPs', () => {
    const input = buildRunTaskInput({ ...base, launchId: 'x', capacityProvider: 'FARGATE_SPOT', assignPublicIp: true, tagTasks: false }, 0, 1);
    expect(input.launchType).toBeUndefined();
    expect(input.capacityProviderStrategy).toEqual([{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }]);
    expect(input.networkConfiguration?.awsvpcConfiguration?.assignPublicIp).toBe('ENABLED');
    expect(input.tags).toBeUndefined();
    expect(input.overrides?.containerOverrides?.[0]).not.toHaveProperty('environment');
  });

  it('gives each shard and attempt its own idempotency token of at most 64 characters', () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 5; i++) for (let a = 1; a <= 3; a++) tokens.add(buildRunTaskInput({ ...base, shards: 5, launchId: 'L'.repeat(32) }, i, a).clientToken!);
    expect(tokens.size).toBe(15);
    for (const t of tokens) expect(t.length).toBeLessThanOrEqual(64);
  });
});

describe('validateLaunchOptions', () => {
  it('accepts sane options', () => {
    expect(() => validateLaunchOptions(base)).not.toThrow();
  });

  it('reports every problem at once as a usage error (exit 2)', () => {
    let err: unknown;
    try {
      validateLaunchOptions({
        ...base,
        cluster: '',
        shards: 0,
        subnets: ['net-1'],
        securityGroups: [],
        baseCommand: ['sync', '--shard', '1/2'],
        capacityProvider: 'EC2' as never,
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(ExitCode.badConfig);
    const msg = (err as Error).message;
    for (const part of [
      'cluster is required',
      'shards must be an integer >= 1',
      'subnets must be one or more subnet ids',
      'security groups must be',
      'must not contain --shard',
      "capacity provider must be FARGATE or FARGATE_SPOT, got 'EC2'",
    ]) {
      expect(msg).toContain(part);
    }
  });

  it('refuses overrides larger than ECS accepts', () => {
    const huge = { BIG: 'x'.repeat(MAX_OVERRIDES_CHARS) };
    expect(() => validateLaunchOptions({ ...base, environment: huge })).toThrow(/ECS allows 8192/);
    expect(() => validateLaunchOptions({ ...base, environment: { 'BAD-NAME': 'v' } })).toThrow(/'BAD-NAME' is not valid/);
  });
});

describe('small helpers', () => {
  it('tells transient RunTask failures from permanent ones', () => {
    expect(isTransientLaunchFailure('RunTask failed: Capacity is unavailable at this time. Please try again later')).toBe(true);
    expect(isTransientLaunchFailure('RunTask failed: RESOURCE:MEMORY')).toBe(true);
    expect(isTransientLaunchFailure('RunTask failed: MISSING')).toBe(false);
    expect(isTransientLaunchFailure('RunTask failed: AccessDeniedException: not authorized to perform: ecs:RunTask')).toBe(false);
  });

  it('reads the region of an ARN', () => {
    expect(regionFromArn(base.cluster)).toBe('ap-northeast-1');
    expect(regionFromArn('s3-direct-sync-prod')).toBeUndefined();
  });
});
