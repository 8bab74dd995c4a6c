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
import { DescribeTasksCommand, RunTaskCommand, StopTaskCommand, type Failure, type Task } from '@aws-sdk/client-ecs';
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

/** What every step of one launch shares. */
interface Launch {
  opts: LaunchOptions;
  launchId: string;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
  emit: (e: LaunchEvent) => void;
}

function startLaunch(opts: LaunchOptions): Launch {
  return {
    opts,
    launchId: opts.launchId ?? randomBytes(6).toString('hex'),
    sleep: opts.sleep ?? abortableSleep,
    now: opts.now ?? Date.now,
    emit: (e: LaunchEvent) => {
      try {
        opts.onEvent?.(e);
      } catch {
        // A failing listener must not lose track of launched tasks.
      }
    },
  };
}

/** RunTask for one shard, transient failures retried; a shard that did not start says why. */
async function launchOne(l: Launch, index: number): Promise<ShardResult> {
  const { opts } = l;
  const shard = shardLabel(index, opts.shards);
  const attempts = opts.launchAttempts ?? 3;
  let reason = 'not launched';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (opts.signal?.aborted) return { shard, taskArn: '', lastStatus: NOT_STARTED, stoppedReason: 'not launched: the launch was aborted' };
    let transient: boolean;
    try {
      const out = await opts.ecs.send(new RunTaskCommand(buildRunTaskInput({ ...opts, launchId: l.launchId }, index, attempt)));
      const task = out.tasks?.find((t) => t.taskArn);
      if (task?.taskArn) {
        l.emit({ type: 'launched', shard, taskArn: task.taskArn, attempt });
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
    l.emit({ type: 'launch-failed', shard, reason, attempt, willRetry });
    if (!willRetry) break;
    await l.sleep((opts.launchRetryDelayMs ?? 5_000) * attempt, opts.signal);
  }
  return { shard, taskArn: '', lastStatus: NOT_STARTED, stoppedReason: reason };
}

/** Every shard launched, `launchConcurrency` (default 4) at a time. */
async function launchAll(l: Launch): Promise<ShardResult[]> {
  const n = l.opts.shards;
  const results: ShardResult[] = Array.from({ length: n }, (_, i) => ({ shard: shardLabel(i, n), taskArn: '', lastStatus: NOT_STARTED }));
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      results[i] = await launchOne(l, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(l.opts.launchConcurrency ?? 4, n) }, worker));
  return results;
}

type WaitEnd = 'done' | 'deadline' | 'aborted' | 'poll-errors';

/** Follows the launched tasks with DescribeTasks until each has stopped or ECS no longer knows it. */
class ShardWatch {
  private readonly byArn = new Map<string, number>();
  private readonly byId = new Map<string, number>();
  /** Polls in a row that did not describe a shard's task. */
  private readonly misses = new Map<number, number>();
  private pollErrors = 0;

  constructor(
    private readonly l: Launch,
    readonly results: ShardResult[],
  ) {
    results.forEach((r, i) => {
      if (r.taskArn) {
        this.byArn.set(r.taskArn, i);
        this.byId.set(taskId(r.taskArn), i);
      }
    });
  }

  running(): Array<readonly [ShardResult, number]> {
    return this.results.map((r, i) => [r, i] as const).filter(([r]) => r.taskArn && r.lastStatus !== 'STOPPED' && r.lastStatus !== MISSING);
  }

  /** Polls every interval until no shard runs, the deadline passes, `signal` aborts or polling fails too often. */
  async waitUntil(deadline: number, signal?: AbortSignal): Promise<WaitEnd> {
    const interval = this.l.opts.pollIntervalMs ?? 15_000;
    for (;;) {
      if (this.running().length === 0) return 'done';
      if (signal?.aborted) return 'aborted';
      const left = deadline - this.l.now();
      if (left <= 0) return 'deadline';
      await this.l.sleep(Math.min(interval, left), signal);
      if (signal?.aborted) return 'aborted';
      if (!(await this.poll())) return 'poll-errors';
    }
  }

  /** One round of DescribeTasks over the running shards; false once polling has failed too often. */
  private async poll(): Promise<boolean> {
    const { opts, emit } = this.l;
    for (const group of chunks(this.running(), DESCRIBE_TASKS_MAX)) {
      let out;
      try {
        out = await opts.ecs.send(new DescribeTasksCommand({ cluster: opts.cluster, tasks: group.map(([r]) => r.taskArn) }));
        this.pollErrors = 0;
      } catch (err) {
        this.pollErrors++;
        emit({ type: 'poll-error', message: `DescribeTasks failed: ${errorText(err)}`, consecutive: this.pollErrors });
        if (this.pollErrors >= MAX_POLL_ERRORS) {
          for (const [r] of this.running()) r.stoppedReason = `status unknown: DescribeTasks failed ${this.pollErrors} times in a row (${errorText(err)})`;
          return false;
        }
        continue;
      }
      const seen = new Set<number>();
      for (const task of out.tasks ?? []) {
        const i = this.byArn.get(task.taskArn ?? '') ?? this.byId.get(taskId(task.taskArn ?? ''));
        if (i === undefined) continue;
        seen.add(i);
        this.apply(i, task);
      }
      this.countMisses(
        group.filter(([, i]) => !seen.has(i)),
        out.failures ?? [],
      );
    }
    return true;
  }

  private apply(i: number, task: Task): void {
    const prev = this.results[i]!;
    const r = shardResultFromTask(prev.shard, task, this.l.opts.containerName);
    if (!r.taskArn) r.taskArn = prev.taskArn;
    this.results[i] = r;
    this.misses.delete(i);
    if (r.lastStatus === prev.lastStatus) return;
    const { shard, taskArn } = r;
    if (r.lastStatus === 'STOPPED') this.l.emit({ type: 'stopped', shard, taskArn, exitCode: r.exitCode, stoppedReason: r.stoppedReason });
    else this.l.emit({ type: 'status', shard, taskArn, lastStatus: r.lastStatus });
  }

  /** A task not described MISSING_POLLS times in a row is given up as MISSING. */
  private countMisses(unseen: Array<readonly [ShardResult, number]>, failures: Failure[]): void {
    for (const [r, i] of unseen) {
      const m = (this.misses.get(i) ?? 0) + 1;
      this.misses.set(i, m);
      if (m >= MISSING_POLLS) {
        const failure = failures.find((f) => f.arn === r.taskArn || (f.arn && taskId(f.arn) === taskId(r.taskArn)));
        const stoppedReason = `ECS no longer describes this task${failure?.reason ? ` (${failure.reason})` : ''}`;
        this.results[i] = { ...r, lastStatus: MISSING, stoppedReason };
        this.l.emit({ type: 'status', shard: r.shard, taskArn: r.taskArn, lastStatus: MISSING });
      }
    }
  }
}

/** After a timeout or an abort: StopTask the shards still running, then give them their grace period to exit. */
async function stopRunning(l: Launch, watch: ShardWatch, ended: 'deadline' | 'aborted'): Promise<void> {
  const { opts } = l;
  const left = watch.running();
  l.emit({ type: 'timeout', running: left.map(([r]) => r.shard) });
  if (opts.stopOnTimeout !== false && left.length > 0) {
    const why = ended === 'aborted' ? 'the launch was aborted' : `timeout after ${Number(((opts.timeoutMs ?? 0) / 1000).toFixed(1))} s`;
    for (const [r] of left) {
      try {
        await opts.ecs.send(new StopTaskCommand({ cluster: opts.cluster, task: r.taskArn, reason: `s3-direct-sync launcher: ${why}` }));
        l.emit({ type: 'stop-requested', shard: r.shard, taskArn: r.taskArn });
      } catch (err) {
        l.emit({ type: 'stop-requested', shard: r.shard, taskArn: r.taskArn, error: errorText(err) });
      }
    }
    // The job gets SIGTERM and has its shutdown deadline to stop cleanly (exit 3).
    await watch.waitUntil(l.now() + (opts.stopGraceMs ?? 150_000));
  }
  for (const [r] of watch.running()) {
    r.stoppedReason = [r.stoppedReason, 'still running when the launcher stopped waiting'].filter(Boolean).join('; ');
  }
}

export async function launchShards(opts: LaunchOptions): Promise<LaunchResult> {
  validateLaunchOptions(opts);
  const l = startLaunch(opts);
  const startedAt = l.now();
  const results = await launchAll(l);
  if (opts.wait === false) return combineShardResults(results, { waited: false, launchId: l.launchId });

  const watch = new ShardWatch(l, results);
  const deadline = opts.timeoutMs !== undefined ? startedAt + opts.timeoutMs : Infinity;
  const ended = await watch.waitUntil(deadline, opts.signal);
  if (ended === 'deadline' || ended === 'aborted') await stopRunning(l, watch, ended);
  return combineShardResults(watch.results, { waited: true, timedOut: ended !== 'done', launchId: l.launchId });
}
