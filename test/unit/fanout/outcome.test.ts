import type { Task } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import {
  EXIT_PRIORITY,
  combineExitCodes,
  combineShardResults,
  formatLaunchResult,
  launchResultJson,
  shardExitCode,
  shardResultFromTask,
} from '../../../src/fanout/outcome.js';
import type { ShardResult } from '../../../src/fanout/types.js';

const ARN = (id: string) => `arn:aws:ecs:ap-northeast-1:123456789012:task/s3-direct-sync-prod/${id}`;

describe('shardExitCode', () => {
  const stopped = (exitCode?: number): ShardResult => ({
    shard: '0/2',
    taskArn: ARN('a'),
    lastStatus: 'STOPPED',
    ...(exitCode === undefined ? {} : { exitCode }),
  });

  it("keeps the job's own codes and maps anything else", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((c) => shardExitCode(stopped(c)))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(shardExitCode(stopped(137))).toBe(1);
    expect(shardExitCode(stopped(255))).toBe(1);
  });

  it('a task that stopped without an exit code, or never started, did not run: 4', () => {
    expect(shardExitCode(stopped())).toBe(4);
    expect(shardExitCode({ shard: '1/2', taskArn: '', lastStatus: 'NOT_STARTED', stoppedReason: 'RunTask failed: MISSING' })).toBe(4);
  });

  it('a task still running when the wait ended, or lost, is unfinished: 3', () => {
    expect(shardExitCode({ shard: '0/2', taskArn: ARN('a'), lastStatus: 'RUNNING' })).toBe(3);
    expect(shardExitCode({ shard: '0/2', taskArn: ARN('a'), lastStatus: 'MISSING' })).toBe(3);
  });

  it('without waiting, launched is success', () => {
    expect(shardExitCode({ shard: '0/2', taskArn: ARN('a'), lastStatus: 'PROVISIONING' }, false)).toBe(0);
    expect(shardExitCode({ shard: '0/2', taskArn: '', lastStatus: 'NOT_STARTED' }, false)).toBe(4);
  });
});

describe('combineExitCodes', () => {
  it('is 0 only when every shard is 0', () => {
    expect(combineExitCodes([0, 0, 0])).toBe(0);
    expect(combineExitCodes([0, 1, 0])).toBe(1);
  });

  it('picks the most important failure: 5 > 4 > 2 > 3 > 1 > 6', () => {
    expect(EXIT_PRIORITY).toEqual([5, 4, 2, 3, 1, 6]);
    expect(combineExitCodes([0, 6, 0])).toBe(6);
    expect(combineExitCodes([6, 1])).toBe(1);
    expect(combineExitCodes([1, 3, 5, 4])).toBe(5);
    expect(combineExitCodes([1, 3, 4, 0])).toBe(4);
    expect(combineExitCodes([3, 2, 1])).toBe(2);
    expect(combineExitCodes([1, 3, 0])).toBe(3);
    expect(combineExitCodes([1, 0])).toBe(1);
    expect(combineExitCodes([0, 99])).toBe(1);
  });
});

describe('shardResultFromTask', () => {
  it("takes the named container's exit code and joins the reasons", () => {
    const task: Task = {
      taskArn: ARN('t1'),
      lastStatus: 'STOPPED',
      stopCode: 'SpotInterruption',
      stoppedReason: 'Your Spot Task was interrupted.',
      containers: [
        { name: 'log-router', exitCode: 0 },
        { name: 's3-direct-sync', exitCode: 3, reason: 'SIGTERM' },
      ],
    };
    expect(shardResultFromTask('1/4', task, 's3-direct-sync')).toEqual({
      shard: '1/4',
      taskArn: ARN('t1'),
      lastStatus: 'STOPPED',
      exitCode: 3,
      stoppedReason: 'SpotInterruption; Your Spot Task was interrupted.; SIGTERM',
    });
  });

  it('has no exit code when the container never ran', () => {
    const task: Task = {
      taskArn: ARN('t2'),
      lastStatus: 'STOPPED',
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
      containers: [{ name: 's3-direct-sync', lastStatus: 'STOPPED' }],
    };
    const r = shardResultFromTask('0/4', task, 's3-direct-sync');
    expect(r.exitCode).toBeUndefined();
    expect(shardExitCode(r)).toBe(4);
    expect(r.stoppedReason).toContain('CannotPullContainerError');
  });
});

describe('combineShardResults, formatLaunchResult, launchResultJson', () => {
  const tasks: ShardResult[] = [
    { shard: '0/3', taskArn: ARN('aaaa'), lastStatus: 'STOPPED', exitCode: 0 },
    { shard: '1/3', taskArn: ARN('bbbb'), lastStatus: 'STOPPED', exitCode: 1, stoppedReason: 'Essential container in task exited' },
    { shard: '2/3', taskArn: '', lastStatus: 'NOT_STARTED', stoppedReason: 'RunTask failed: AccessDeniedException: not authorized' },
  ];

  it('ok only when every shard exited 0', () => {
    expect(combineShardResults(tasks, { waited: true, launchId: 'L1' })).toMatchObject({ ok: false, exitCode: 4, waited: true, timedOut: false });
    const allGood = tasks.slice(0, 1);
    expect(combineShardResults(allGood, { waited: true, launchId: 'L1' })).toMatchObject({ ok: true, exitCode: 0 });
    expect(combineShardResults([], { waited: true, launchId: 'L1' })).toMatchObject({ ok: false, exitCode: 4 });
  });

  it('prints a table with one row per shard and a summary', () => {
    const text = formatLaunchResult(combineShardResults(tasks, { waited: true, launchId: 'L1' }));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^SHARD\s+TASK\s+STATUS\s+EXIT\s+REASON$/);
    expect(lines[1]).toMatch(/^0\/3\s+aaaa\s+STOPPED\s+0$/);
    expect(lines[2]).toMatch(/^1\/3\s+bbbb\s+STOPPED\s+1\s+Essential container in task exited$/);
    expect(lines[3]).toMatch(/^2\/3\s+-\s+NOT_STARTED\s+-\s+RunTask failed: AccessDeniedException/);
    expect(lines[4]).toBe('3 shards: 1 succeeded, 2 failed; exit code 4');
    expect(lines[5]).toBe('launch id L1');
    // Columns line up.
    expect(lines[1]!.indexOf('STOPPED')).toBe(lines[0]!.indexOf('STATUS'));
  });

  it("gives a snake_case JSON view with each shard's own code", () => {
    const json = launchResultJson(combineShardResults(tasks, { waited: true, launchId: 'L1' }));
    expect(json).toMatchObject({ launch_id: 'L1', ok: false, exit_code: 4, waited: true, timed_out: false });
    expect((json.shards as Array<Record<string, unknown>>).map((s) => s.shard_exit_code)).toEqual([0, 1, 4]);
    expect((json.shards as Array<Record<string, unknown>>)[2]).toMatchObject({ task_arn: null, exit_code: null });
  });
});
