/**
 * The ECS fan-out against a real moto server: a cluster and a Fargate task definition shaped like
 * terraform/modules/s3-direct-sync/ecs.tf, N=3 shards, the RunTask overrides as ECS stored them,
 * and the outcome read back from DescribeTasks.
 *
 * moto does not run containers: a task moves RUNNING → … → STOPPED one step per DescribeTasks call
 * (its default), or stays RUNNING once the test pins the transition; its containers report exit
 * code 0. Tasks kept RUNNING are stopped with StopTask (by the launcher on timeout, or by the test).
 */
import { CreateClusterCommand, DescribeTasksCommand, ECSClient, RegisterTaskDefinitionCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LAUNCH_ID_TAG, SHARD_TAG, combineShardResults, formatLaunchResult, launchShards, shardResultFromTask } from '../../src/fanout/launch.js';
import type { LaunchEvent } from '../../src/fanout/types.js';
import { runCli } from '../helpers/cli.js';
import { motoClientConfig, useMoto } from '../helpers/moto.js';

const moto = useMoto();
const REGION = 'ap-northeast-1';
const CLUSTER = 's3-direct-sync-dev';
const FAMILY = 's3-direct-sync-dev';
const CONTAINER = 's3-direct-sync';

let ecs: ECSClient;
let subnets: string[];
let securityGroups: string[];

/** EC2 Query API call (no EC2 client among the dependencies); moto routes by the credential scope. */
async function ec2(action: string): Promise<string> {
  const res = await fetch(moto.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${REGION}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: `Action=${action}&Version=2016-11-15`,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`EC2 ${action}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return text;
}

async function setTaskTransition(transition: { progression: 'manual'; times: number } | null) {
  const path = transition ? 'set-transition' : 'unset-transition';
  const res = await fetch(`${moto.endpoint}/moto-api/state-manager/${path}`, {
    method: 'POST',
    body: JSON.stringify({ model_name: 'ecs::task', ...(transition ? { transition } : {}) }),
  });
  await res.arrayBuffer();
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  ecs = new ECSClient(motoClientConfig(moto.endpoint, REGION));
  // moto's default VPC: its subnets and default security group.
  subnets = [...(await ec2('DescribeSubnets')).matchAll(/<subnetId>(subnet-[0-9a-f]+)<\/subnetId>/g)].map((m) => m[1]!).slice(0, 2);
  securityGroups = [...(await ec2('DescribeSecurityGroups')).matchAll(/<groupId>(sg-[0-9a-f]+)<\/groupId>/g)].map((m) => m[1]!).slice(0, 1);
  expect(subnets.length).toBeGreaterThan(0);
  expect(securityGroups).toHaveLength(1);

  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER, capacityProviders: ['FARGATE', 'FARGATE_SPOT'] }));
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: FAMILY,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '512',
      memory: '1024',
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
      containerDefinitions: [
        {
          name: CONTAINER,
          image: '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/s3-direct-sync-dev:v1',
          essential: true,
          command: ['sync', '--json'],
          // moto needs a container-level memory figure to place a task; Fargate itself does not.
          memoryReservation: 1024,
          environment: [{ name: 'S3DS_ENV', value: 'dev' }],
        },
      ],
    }),
  );
});

afterEach(async () => {
  await setTaskTransition(null);
});

describe('the launch command, as run-task.sh runs it (moto)', () => {
  it('starts N shard tasks with the job flags after --, waits and prints the combined result', async () => {
    const r = await runCli(
      [
        'launch',
        '--cluster',
        CLUSTER,
        '--task-definition',
        FAMILY,
        '--shards',
        '2',
        '--subnets',
        subnets.join(','),
        '--security-groups',
        securityGroups[0]!,
        '--wait',
        '--poll-seconds',
        '0.05',
        '--log-format',
        'json',
        '--',
        'sync',
        '--env',
        'dev',
        '--json',
      ],
      { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: REGION, AWS_ENDPOINT_URL_ECS: moto.endpoint },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2 shards: 2 succeeded, 0 failed; exit code 0/);
    const ids = [...r.stdout.matchAll(/^\d\/2\s+([0-9a-f-]{36})\s/gm)].map((m) => m[1]!);
    expect(ids).toHaveLength(2);
    const described = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: ids }));
    const commands = described.tasks!.map((t) => t.overrides?.containerOverrides?.[0]?.command).sort();
    expect(commands).toEqual([
      ['sync', '--env', 'dev', '--json', '--shard', '0/2'],
      ['sync', '--env', 'dev', '--json', '--shard', '1/2'],
    ]);
  });

  it('refuses a launch without the required flags (exit 2)', async () => {
    const r = await runCli(['launch', '--cluster', CLUSTER], { AWS_REGION: REGION });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/task-definition|shards|subnets/);
  });
});

describe('launchShards on ECS (moto)', () => {
  it('launches 3 shards with their overrides and reports every exit code', async () => {
    const events: LaunchEvent[] = [];
    const result = await launchShards({
      ecs,
      cluster: CLUSTER,
      taskDefinition: FAMILY,
      containerName: CONTAINER,
      shards: 3,
      subnets,
      securityGroups,
      capacityProvider: 'FARGATE_SPOT',
      baseCommand: ['sync', '--env', 'dev', '--json'],
      environment: { S3DS_LOG_LEVEL: 'debug' },
      pollIntervalMs: 50,
      timeoutMs: 60_000,
      onEvent: (e) => events.push(e),
    });

    expect(result.tasks.map((t) => t.shard)).toEqual(['0/3', '1/3', '2/3']);
    expect(result.tasks.every((t) => t.taskArn.startsWith(`arn:aws:ecs:${REGION}:`))).toBe(true);
    expect(new Set(result.tasks.map((t) => t.taskArn)).size).toBe(3);
    expect(result.tasks.map((t) => [t.lastStatus, t.exitCode])).toEqual([
      ['STOPPED', 0],
      ['STOPPED', 0],
      ['STOPPED', 0],
    ]);
    expect(result).toMatchObject({ ok: true, exitCode: 0, timedOut: false, waited: true });
    expect(events.filter((e) => e.type === 'launched')).toHaveLength(3);
    expect(events.filter((e) => e.type === 'stopped')).toHaveLength(3);

    // What ECS recorded for each task.
    const described = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: result.tasks.map((t) => t.taskArn), include: ['TAGS'] }));
    expect(described.tasks).toHaveLength(3);
    for (const [i, shard] of result.tasks.entries()) {
      const task = described.tasks!.find((t) => t.taskArn === shard.taskArn)!;
      expect(task.overrides?.containerOverrides).toEqual([
        { name: CONTAINER, command: ['sync', '--env', 'dev', '--json', '--shard', `${i}/3`], environment: [{ name: 'S3DS_LOG_LEVEL', value: 'debug' }] },
      ]);
      expect(task.startedBy).toBe('s3-direct-sync');
      expect(task.capacityProviderName).toBe('FARGATE_SPOT');
      expect(task.tags).toEqual(
        expect.arrayContaining([
          { key: SHARD_TAG, value: `${i}/3` },
          { key: LAUNCH_ID_TAG, value: result.launchId },
        ]),
      );
      const eni = task.attachments?.[0]?.details?.find((d) => d.name === 'subnetId')?.value;
      expect(subnets).toContain(eni);
    }
    // The combination logic on ECS's own description gives the same verdict.
    const recombined = combineShardResults(
      result.tasks.map((t) =>
        shardResultFromTask(
          t.shard,
          described.tasks!.find((d) => d.taskArn === t.taskArn)!,
          CONTAINER,
        ),
      ),
      { waited: true, launchId: result.launchId },
    );
    expect(recombined.ok).toBe(true);
    expect(recombined.exitCode).toBe(0);
    expect(formatLaunchResult(result)).toContain('3 shards: 3 succeeded, 0 failed; exit code 0');
  });

  it('the wait ends when tasks that stay RUNNING are stopped with StopTask', async () => {
    await setTaskTransition({ progression: 'manual', times: 1_000_000 });
    const launched: string[] = [];
    let stopping: Promise<unknown> | undefined;
    const result = await launchShards({
      ecs,
      cluster: CLUSTER,
      taskDefinition: FAMILY,
      containerName: CONTAINER,
      shards: 3,
      subnets,
      securityGroups,
      baseCommand: ['sync', '--json'],
      pollIntervalMs: 50,
      timeoutMs: 60_000,
      onEvent: (e) => {
        if (e.type !== 'launched') return;
        launched.push(e.taskArn);
        if (launched.length === 3) {
          // Like an operator stopping them from the console while the launcher waits.
          stopping = Promise.all(launched.map((task) => ecs.send(new StopTaskCommand({ cluster: CLUSTER, task, reason: 'stopped by the test' }))));
        }
      },
    });
    await stopping;
    expect(result.timedOut).toBe(false);
    expect(result.tasks.map((t) => t.lastStatus)).toEqual(['STOPPED', 'STOPPED', 'STOPPED']);
    expect(result.tasks.every((t) => t.stoppedReason === 'stopped by the test')).toBe(true);
    expect(result.ok).toBe(true);

    const described = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: launched }));
    for (const t of described.tasks!) expect(t.launchType).toBe('FARGATE');
  });

  it('on timeout the launcher stops the shards still RUNNING itself', async () => {
    await setTaskTransition({ progression: 'manual', times: 1_000_000 });
    const events: LaunchEvent[] = [];
    const result = await launchShards({
      ecs,
      cluster: CLUSTER,
      taskDefinition: FAMILY,
      containerName: CONTAINER,
      shards: 2,
      subnets,
      securityGroups,
      baseCommand: ['sync', '--json'],
      pollIntervalMs: 50,
      timeoutMs: 400,
      stopGraceMs: 10_000,
      onEvent: (e) => events.push(e),
    });
    expect(result.timedOut).toBe(true);
    expect(events.filter((e) => e.type === 'stop-requested' && !e.error)).toHaveLength(2);
    const described = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: result.tasks.map((t) => t.taskArn) }));
    for (const t of described.tasks!) {
      expect(t.lastStatus).toBe('STOPPED');
      expect(t.stoppedReason).toBe('s3-direct-sync launcher: timeout after 0.4 s');
    }
    expect(result.tasks.map((t) => t.lastStatus)).toEqual(['STOPPED', 'STOPPED']);
    // moto's containers always report exit code 0, so the stopped shards count as finished.
    expect(result.exitCode).toBe(0);
  });

  it('records a RunTask that ECS refuses as a shard that did not start', async () => {
    const result = await launchShards({
      ecs,
      cluster: CLUSTER,
      taskDefinition: 's3-direct-sync-no-such-family',
      containerName: CONTAINER,
      shards: 2,
      subnets,
      securityGroups,
      baseCommand: ['sync', '--json'],
      pollIntervalMs: 50,
      timeoutMs: 10_000,
      launchAttempts: 1,
    });
    expect(result.tasks.map((t) => t.lastStatus)).toEqual(['NOT_STARTED', 'NOT_STARTED']);
    expect(result.tasks[0]!.stoppedReason).toBe('RunTask failed: ClientException: Unable to describe task definition.');
    expect(result.ok).toBe(false);
    expect(result.exitCode).toBe(4);
  });
});
