/**
 * ECS fan-out: one Fargate task per shard (`--shard i/N`), then a wait for all of them and each
 * shard's container exit code.
 *
 *   RunTask × N (count 1 each, a few in flight, transient failures retried)
 *     → DescribeTasks polling (≤ 100 ARNs per call) until every task is STOPPED
 *     → on timeout/abort: StopTask the rest, wait a grace period for their exit codes
 *     → combineShardResults: ok only if every shard exited 0; else the most important failure code.
 *
 * Pure parts live in command.ts (requests) and outcome.ts (results, table); this file does the I/O.
 */
import { randomBytes } from 'node:crypto';
import { DescribeTasksCommand, RunTaskCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { buildRunTaskInput, isTransientLaunchFailure, shardLabel, validateLaunchOptions } from './command.js';
import { MISSING, NOT_STARTED, combineShardResults, shardResultFromTask } from './outcome.js';
import type { LaunchEvent, LaunchOptions, LaunchResult, ShardResult } from './types.js';

export * from './command.js';
export * from './outcome.js';
export type * from './types.js';

/** DescribeTasks accepts at most this many tasks per call. */
export const DESCRIBE_TASKS_MAX = 100;
/** A task DescribeTasks does not know this many polls in a row is given up as MISSING (ECS is eventually consistent right after RunTask). */
export const MISSING_POLLS = 3;
/** Consecutive failed polls after which the launcher stops waiting. */
export const MAX_POLL_ERRORS = 5;

/** Resolves after `ms`, or at once when `signal` aborts. Never rejects. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function errorText(err: unknown): string {
  const e = err as { name?: string; message?: string };
  const name = e?.name && e.name !== 'Error' ? `${e.name}: ` : '';
  return `${name}${e?.message ?? String(err)}`;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function taskId(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

export async function launchShards(opts: LaunchOptions): Promise<LaunchResult> {
  validateLaunchOptions(opts);
  const launchId = opts.launchId ?? randomBytes(6).toString('hex');
  const sleep = opts.sleep ?? abortableSleep;
  const now = opts.now ?? Date.now;
  const startedAt = now();
  const emit = (e: LaunchEvent) => {
    try {
      opts.onEvent?.(e);
    } catch {
      // A failing listener must not lose track of launched tasks.
    }
  };
  const n = opts.shards;
  const attempts = opts.launchAttempts ?? 3;
  const retryDelay = opts.launchRetryDelayMs ?? 5_000;
  const results: ShardResult[] = Array.from({ length: n }, (_, i) => ({ shard: shardLabel(i, n), taskArn: '', lastStatus: NOT_STARTED }));

  // ---- launch -----------------------------------------------------------------------------------
  const launchOne = async (index: number): Promise<ShardResult> => {
    const shard = shardLabel(index, n);
    let reason = 'not launched';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (opts.signal?.aborted) return { shard, taskArn: '', lastStatus: NOT_STARTED, stoppedReason: 'not launched: the launch was aborted' };
      let transient: boolean;
      try {
        const out = await opts.ecs.send(new RunTaskCommand(buildRunTaskInput({ ...opts, launchId }, index, attempt)));
        const task = out.tasks?.find((t) => t.taskArn);
        if (task?.taskArn) {
          emit({ type: 'launched', shard, taskArn: task.taskArn, attempt });
          return { shard, taskArn: task.taskArn, lastStatus: task.lastStatus ?? 'PROVISIONING' };
        }
        const failures = (out.failures ?? []).map((f) => [f.reason, f.detail].filter(Boolean).join(': ')).filter(Boolean);
        reason = `RunTask failed: ${failures.length > 0 ? failures.join('; ') : 'no task and no failure returned'}`;
        transient = isTransientLaunchFailure(reason);
      } catch (err) {
        reason = `RunTask failed: ${errorText(err)}`;
        const name = (err as { name?: string })?.name ?? '';
        transient = /Throttl|ServerException|ServiceUnavailable|TooManyRequests/i.test(name) || isTransientLaunchFailure(reason);
      }
      const willRetry = transient && attempt < attempts && !opts.signal?.aborted;
      emit({ type: 'launch-failed', shard, reason, attempt, willRetry });
      if (!willRetry) break;
      await sleep(retryDelay * attempt, opts.signal);
    }
    return { shard, taskArn: '', lastStatus: NOT_STARTED, stoppedReason: reason };
  };

  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      results[i] = await launchOne(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.launchConcurrency ?? 4, n) }, worker));

  if (opts.wait === false) return combineShardResults(results, { waited: false, launchId });

  // ---- wait ---------------------------------------------------------------------------------------
  const byArn = new Map<string, number>();
  const byId = new Map<string, number>();
  results.forEach((r, i) => {
    if (r.taskArn) {
      byArn.set(r.taskArn, i);
      byId.set(taskId(r.taskArn), i);
    }
  });
  const misses = new Map<number, number>();
  const running = () => results.map((r, i) => [r, i] as const).filter(([r]) => r.taskArn && r.lastStatus !== 'STOPPED' && r.lastStatus !== MISSING);

  const apply = (i: number, task: Task) => {
    const prev = results[i]!;
    const r = shardResultFromTask(prev.shard, task, opts.containerName);
    if (!r.taskArn) r.taskArn = prev.taskArn;
    results[i] = r;
    misses.delete(i);
    if (r.lastStatus !== prev.lastStatus) {
      if (r.lastStatus === 'STOPPED') emit({ type: 'stopped', shard: r.shard, taskArn: r.taskArn, exitCode: r.exitCode, stoppedReason: r.stoppedReason });
      else emit({ type: 'status', shard: r.shard, taskArn: r.taskArn, lastStatus: r.lastStatus });
    }
  };

  let pollErrors = 0;
  /** One round of DescribeTasks over the running shards; false once polling has failed too often. */
  const poll = async (): Promise<boolean> => {
    for (const group of chunks(running(), DESCRIBE_TASKS_MAX)) {
      let out;
      try {
        out = await opts.ecs.send(new DescribeTasksCommand({ cluster: opts.cluster, tasks: group.map(([r]) => r.taskArn) }));
        pollErrors = 0;
      } catch (err) {
        pollErrors++;
        emit({ type: 'poll-error', message: `DescribeTasks failed: ${errorText(err)}`, consecutive: pollErrors });
        if (pollErrors >= MAX_POLL_ERRORS) {
          for (const [r] of running()) r.stoppedReason = `status unknown: DescribeTasks failed ${pollErrors} times in a row (${errorText(err)})`;
          return false;
        }
        continue;
      }
      const seen = new Set<number>();
      for (const task of out.tasks ?? []) {
        const i = byArn.get(task.taskArn ?? '') ?? byId.get(taskId(task.taskArn ?? ''));
        if (i === undefined) continue;
        seen.add(i);
        apply(i, task);
      }
      for (const [r, i] of group) {
        if (seen.has(i)) continue;
        const m = (misses.get(i) ?? 0) + 1;
        misses.set(i, m);
        if (m >= MISSING_POLLS) {
          const failure = out.failures?.find((f) => f.arn === r.taskArn || (f.arn && taskId(f.arn) === taskId(r.taskArn)));
          results[i] = { ...r, lastStatus: MISSING, stoppedReason: `ECS no longer describes this task${failure?.reason ? ` (${failure.reason})` : ''}` };
          emit({ type: 'status', shard: r.shard, taskArn: r.taskArn, lastStatus: MISSING });
        }
      }
    }
    return true;
  };

  const waitUntil = async (deadline: number, signal?: AbortSignal): Promise<'done' | 'deadline' | 'aborted' | 'poll-errors'> => {
    const interval = opts.pollIntervalMs ?? 15_000;
    for (;;) {
      if (running().length === 0) return 'done';
      if (signal?.aborted) return 'aborted';
      const left = deadline - now();
      if (left <= 0) return 'deadline';
      await sleep(Math.min(interval, left), signal);
      if (signal?.aborted) return 'aborted';
      if (!(await poll())) return 'poll-errors';
    }
  };

  const deadline = opts.timeoutMs !== undefined ? startedAt + opts.timeoutMs : Infinity;
  const ended = await waitUntil(deadline, opts.signal);
  let timedOut = false;
  if (ended === 'deadline' || ended === 'aborted') {
    timedOut = true;
    const left = running();
    emit({ type: 'timeout', running: left.map(([r]) => r.shard) });
    if (opts.stopOnTimeout !== false && left.length > 0) {
      const why = ended === 'aborted' ? 'the launch was aborted' : `timeout after ${Number(((opts.timeoutMs ?? 0) / 1000).toFixed(1))} s`;
      for (const [r] of left) {
        try {
          await opts.ecs.send(new StopTaskCommand({ cluster: opts.cluster, task: r.taskArn, reason: `s3-direct-sync launcher: ${why}` }));
          emit({ type: 'stop-requested', shard: r.shard, taskArn: r.taskArn });
        } catch (err) {
          emit({ type: 'stop-requested', shard: r.shard, taskArn: r.taskArn, error: errorText(err) });
        }
      }
      // The job gets SIGTERM and has its shutdown deadline to stop cleanly (exit 3).
      await waitUntil(now() + (opts.stopGraceMs ?? 150_000));
    }
    for (const [r] of running()) {
      r.stoppedReason = [r.stoppedReason, 'still running when the launcher stopped waiting'].filter(Boolean).join('; ');
    }
  } else if (ended === 'poll-errors') {
    timedOut = true;
  }
  return combineShardResults(results, { waited: true, timedOut, launchId });
}
