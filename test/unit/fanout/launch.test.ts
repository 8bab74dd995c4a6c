/**
 * launchShards against a scripted in-memory ECS: RunTask answers and task lifecycles are chosen per
 * shard, the clock and sleep are fake, so retries, timeouts and chunking run instantly.
 */
import { DescribeTasksCommand, RunTaskCommand, StopTaskCommand, type ECSClient, type RunTaskCommandInput, type Task } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { DESCRIBE_TASKS_MAX, launchShards } from '../../../src/fanout/launch.js';
import type { LaunchEvent, LaunchOptions } from '../../../src/fanout/types.js';

interface Plan {
  /** RunTask answers before success, in order: a failure reason (in `failures`) or a thrown error. */
  launchFailures?: Array<{ reason: string } | { throw: Error }>;
  /** Never launches: every attempt fails with this reason. */
  alwaysFails?: string;
  /** DescribeTasks calls before the task reads STOPPED (Infinity: never by itself). */
  runsFor?: number;
  exitCode?: number;
  stoppedReason?: string;
  /** Exit code when stopped by StopTask. */
  exitOnStop?: number;
  /** DescribeTasks never returns it. */
  vanishes?: boolean;
}

class FakeEcs {
  runInputs: RunTaskCommandInput[] = [];
  describeCalls: string[][] = [];
  stopped: string[] = [];
  describeErrors = 0;
  private tasks = new Map<string, { shard: number; polls: number; plan: Plan; stoppedByUs: boolean }>();
  private attempts = new Map<number, number>();

  constructor(private plans: (shard: number) => Plan) {}

  async send(cmd: unknown): Promise<unknown> {
    if (cmd instanceof RunTaskCommand) return this.runTask(cmd.input);
    if (cmd instanceof DescribeTasksCommand) return this.describe(cmd.input.tasks ?? []);
    if (cmd instanceof StopTaskCommand) {
      const t = this.tasks.get(cmd.input.task!);
      if (!t) throw Object.assign(new Error('task not found'), { name: 'InvalidParameterException' });
      t.stoppedByUs = true;
      this.stopped.push(cmd.input.task!);
      return { task: {} };
    }
    throw new Error(`unexpected command ${(cmd as object).constructor.name}`);
  }

  private runTask(input: RunTaskCommandInput) {
    this.runInputs.push(input);
    const cmd = input.overrides!.containerOverrides![0]!.command!;
    const shard = Number(cmd[cmd.length - 1]!.split('/')[0]);
    const plan = this.plans(shard);
    const attempt = (this.attempts.get(shard) ?? 0) + 1;
    this.attempts.set(shard, attempt);
    if (plan.alwaysFails) return { tasks: [], failures: [{ arn: 'arn:aws:ecs:x', reason: plan.alwaysFails }] };
    const f = plan.launchFailures?.[attempt - 1];
    if (f && 'throw' in f) throw f.throw;
    if (f) return { tasks: [], failures: [{ reason: f.reason }] };
    const arn = `arn:aws:ecs:eu-west-1:123456789012:task/c/${'t'.repeat(4)}${String(shard).padStart(4, '0')}`;
    this.tasks.set(arn, { shard, polls: 0, plan, stoppedByUs: false });
    return { tasks: [{ taskArn: arn, lastStatus: 'PROVISIONING' }], failures: [] };
  }

  private describe(arns: string[]) {
    if (arns.length > DESCRIBE_TASKS_MAX) throw Object.assign(new Error('too many tasks'), { name: 'InvalidParameterException' });
    if (arns.length === 0) throw Object.assign(new Error('Tasks cannot be empty.'), { name: 'InvalidParameterException' });
    this.describeCalls.push(arns);
    if (this.describeErrors > 0) {
      this.describeErrors--;
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    }
    const tasks: Task[] = [];
    const failures: Array<{ arn: string; reason: string }> = [];
    for (const arn of arns) {
      const t = this.tasks.get(arn)!;
      if (t.plan.vanishes) {
        failures.push({ arn, reason: 'MISSING' });
        continue;
      }
      t.polls++;
      const stopped = t.stoppedByUs || t.polls >= (t.plan.runsFor ?? 2);
      const exitCode = t.stoppedByUs ? t.plan.exitOnStop : (t.plan.exitCode ?? 0);
      tasks.push({
        taskArn: arn,
        lastStatus: stopped ? 'STOPPED' : 'RUNNING',
        ...(stopped && (t.plan.stoppedReason || t.stoppedByUs) ? { stoppedReason: t.stoppedByUs ? 'stopped by the launcher' : t.plan.stoppedReason } : {}),
        containers: [{ name: 's3-direct-sync', ...(stopped && exitCode !== undefined ? { exitCode } : {}) }],
      });
    }
    return { tasks, failures };
  }
}

function options(ecs: FakeEcs, over: Partial<LaunchOptions> = {}) {
  let t = 0;
  const events: LaunchEvent[] = [];
  const sleeps: number[] = [];
  const opts: LaunchOptions = {
    ecs: ecs as unknown as ECSClient,
    cluster: 'c',
    taskDefinition: 's3-direct-sync-dev',
    containerName: 's3-direct-sync',
    shards: 3,
    subnets: ['subnet-0123456789abcdef0'],
    securityGroups: ['sg-0123456789abcdef0'],
    baseCommand: ['sync', '--env', 'dev', '--json'],
    pollIntervalMs: 1_000,
    launchId: 'unit',
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
    onEvent: (e) => events.push(e),
    ...over,
  };
  return { opts, events, sleeps, clock: () => t };
}

describe('launchShards', () => {
  it('runs one task per shard with its --shard override and reports every exit code', async () => {
    const ecs = new FakeEcs(() => ({ exitCode: 0 }));
    const { opts, events } = options(ecs);
    const result = await launchShards(opts);
    expect(ecs.runInputs.map((i) => i.overrides!.containerOverrides![0]!.command!.slice(-2))).toEqual([
      ['--shard', '0/3'],
      ['--shard', '1/3'],
      ['--shard', '2/3'],
    ]);
    expect(ecs.runInputs.every((i) => i.count === 1 && i.startedBy === 's3-direct-sync' && i.launchType === 'FARGATE')).toBe(true);
    expect(result.ok).toBe(true);
    expect(result.exitCode).toBe(0);
    expect(result.tasks.map((t) => [t.shard, t.lastStatus, t.exitCode])).toEqual([
      ['0/3', 'STOPPED', 0],
      ['1/3', 'STOPPED', 0],
      ['2/3', 'STOPPED', 0],
    ]);
    expect(events.filter((e) => e.type === 'launched')).toHaveLength(3);
    expect(events.filter((e) => e.type === 'stopped')).toHaveLength(3);
  });

  it('combines different failures into the most important exit code', async () => {
    const codes = [0, 1, 5, 3];
    const ecs = new FakeEcs((i) => ({ exitCode: codes[i], runsFor: i + 1 }));
    const { opts } = options(ecs, { shards: 4 });
    const result = await launchShards(opts);
    expect(result.tasks.map((t) => t.exitCode)).toEqual(codes);
    expect(result.ok).toBe(false);
    expect(result.exitCode).toBe(5);
  });

  it('retries a transient RunTask failure with a new token, and records a permanent one without giving up on the others', async () => {
    const ecs = new FakeEcs((i) =>
      i === 1 ? { launchFailures: [{ reason: 'Capacity is unavailable at this time. Please try again later' }] } : i === 2 ? { alwaysFails: 'MISSING' } : {},
    );
    const { opts, events, sleeps } = options(ecs, { launchRetryDelayMs: 2_000, launchConcurrency: 1 });
    const result = await launchShards(opts);
    const shard1 = ecs.runInputs.filter((i) => i.overrides!.containerOverrides![0]!.command!.at(-1) === '1/3');
    expect(shard1.map((i) => i.clientToken)).toEqual(['unit-1-1', 'unit-1-2']);
    expect(sleeps[0]).toBe(2_000);
    // A permanent failure is not retried.
    expect(ecs.runInputs.filter((i) => i.overrides!.containerOverrides![0]!.command!.at(-1) === '2/3')).toHaveLength(1);
    expect(result.tasks[1]).toMatchObject({ lastStatus: 'STOPPED', exitCode: 0 });
    expect(result.tasks[2]).toEqual({ shard: '2/3', taskArn: '', lastStatus: 'NOT_STARTED', stoppedReason: 'RunTask failed: MISSING' });
    expect(result.ok).toBe(false);
    expect(result.exitCode).toBe(4);
    expect(events.filter((e) => e.type === 'launch-failed').map((e) => (e as { willRetry: boolean }).willRetry)).toEqual([true, false]);
  });

  it('treats a thrown RunTask error as that shard failing to start', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: ecs:TagResource'), { name: 'AccessDeniedException' });
    const ecs = new FakeEcs((i) => (i === 0 ? { launchFailures: [{ throw: denied }] } : {}));
    const { opts } = options(ecs, { shards: 2 });
    const result = await launchShards(opts);
    expect(result.tasks[0]).toMatchObject({
      lastStatus: 'NOT_STARTED',
      stoppedReason: 'RunTask failed: AccessDeniedException: User is not authorized to perform: ecs:TagResource',
    });
    expect(result.tasks[1]).toMatchObject({ lastStatus: 'STOPPED', exitCode: 0 });
    expect(result.exitCode).toBe(4);
  });

  it(`describes at most ${DESCRIBE_TASKS_MAX} tasks per call`, async () => {
    const ecs = new FakeEcs(() => ({ runsFor: 1 }));
    const { opts } = options(ecs, { shards: 250, launchConcurrency: 16 });
    const result = await launchShards(opts);
    expect(ecs.describeCalls.map((c) => c.length)).toEqual([100, 100, 50]);
    expect(new Set(ecs.describeCalls.flat()).size).toBe(250);
    expect(result.ok).toBe(true);
    expect(result.tasks).toHaveLength(250);
    expect(result.tasks[249]!.shard).toBe('249/250');
  });

  it('on timeout stops the shards still running and reports their exit codes', async () => {
    const ecs = new FakeEcs((i) => (i === 0 ? { exitCode: 0, runsFor: 1 } : { runsFor: Infinity, exitOnStop: 3 }));
    const { opts, events } = options(ecs, { timeoutMs: 10_000 });
    const result = await launchShards(opts);
    expect(ecs.stopped).toHaveLength(2);
    expect(events.find((e) => e.type === 'timeout')).toEqual({ type: 'timeout', running: ['1/3', '2/3'] });
    expect(result.timedOut).toBe(true);
    expect(result.tasks.map((t) => t.exitCode)).toEqual([0, 3, 3]);
    expect(result.exitCode).toBe(3);
    expect(result.ok).toBe(false);
  });

  it('with stopOnTimeout false leaves them running and calls them unfinished', async () => {
    const ecs = new FakeEcs(() => ({ runsFor: Infinity }));
    const { opts } = options(ecs, { timeoutMs: 5_000, stopOnTimeout: false, shards: 2 });
    const result = await launchShards(opts);
    expect(ecs.stopped).toHaveLength(0);
    expect(result.tasks.map((t) => t.lastStatus)).toEqual(['RUNNING', 'RUNNING']);
    expect(result.tasks[0]!.stoppedReason).toBe('still running when the launcher stopped waiting');
    expect(result.exitCode).toBe(3);
  });

  it('an abort signal ends the wait like a timeout', async () => {
    const ecs = new FakeEcs(() => ({ runsFor: Infinity, exitOnStop: 3 }));
    const ac = new AbortController();
    const { opts } = options(ecs, { shards: 2, signal: ac.signal, onEvent: (e) => e.type === 'status' && ac.abort() });
    const result = await launchShards(opts);
    expect(ecs.stopped).toHaveLength(2);
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBe(3);
  });

  it('gives up on a task ECS no longer knows after a few polls', async () => {
    const ecs = new FakeEcs((i) => (i === 0 ? { vanishes: true } : { runsFor: 5 }));
    const { opts } = options(ecs, { shards: 2 });
    const result = await launchShards(opts);
    expect(result.tasks[0]).toMatchObject({ lastStatus: 'MISSING', stoppedReason: 'ECS no longer describes this task (MISSING)' });
    expect(result.tasks[1]).toMatchObject({ lastStatus: 'STOPPED', exitCode: 0 });
    expect(result.exitCode).toBe(3);
  });

  it('rides out a few failed polls but stops waiting after too many', async () => {
    const flaky = new FakeEcs(() => ({}));
    flaky.describeErrors = 2;
    expect((await launchShards(options(flaky).opts)).ok).toBe(true);

    const broken = new FakeEcs(() => ({}));
    broken.describeErrors = 1_000;
    const { opts, events } = options(broken);
    const result = await launchShards(opts);
    expect(events.filter((e) => e.type === 'poll-error')).toHaveLength(5);
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBe(3);
    expect(result.tasks[0]!.stoppedReason).toMatch(/^status unknown: DescribeTasks failed 5 times in a row \(ThrottlingException: Rate exceeded\)/);
  });

  it('without waiting returns once every shard is launched', async () => {
    const ecs = new FakeEcs(() => ({}));
    const { opts } = options(ecs, { wait: false });
    const result = await launchShards(opts);
    expect(ecs.describeCalls).toHaveLength(0);
    expect(result).toMatchObject({ ok: true, exitCode: 0, waited: false });
    expect(result.tasks.every((t) => t.taskArn && t.lastStatus === 'PROVISIONING')).toBe(true);
  });

  it('validates before calling ECS', async () => {
    const ecs = new FakeEcs(() => ({}));
    await expect(launchShards(options(ecs, { shards: 0 }).opts)).rejects.toThrow(/shards must be an integer >= 1/);
    expect(ecs.runInputs).toHaveLength(0);
  });
});
