/** Pure: from ECS task descriptions to each shard's outcome, the fan-out's exit code and a table. */
import type { Task } from '@aws-sdk/client-ecs';
import { ExitCode } from '../exit-codes.js';
import type { LaunchResult, ShardResult } from './types.js';

export const NOT_STARTED = 'NOT_STARTED';
export const MISSING = 'MISSING';

/**
 * Which failure wins when shards fail differently, most important first: an integrity failure (5),
 * then failures that need a fix before a rerun can help (4 preflight, 2 configuration), then an
 * interruption (3, resumable by running again), then failed objects (1), then a shard that found
 * its lease held by another run (6: it wrote nothing, so the fan-out is not complete, yet nothing failed).
 */
export const EXIT_PRIORITY: readonly number[] = [
  ExitCode.integrity,
  ExitCode.preflight,
  ExitCode.badConfig,
  ExitCode.interrupted,
  ExitCode.someFailed,
  ExitCode.leaseHeld,
];

/**
 * One shard's exit code.
 * - The container's own code when it is one of the job's (0-6); any other non-zero code (a crash,
 *   137 after SIGKILL or OOM) counts as 1.
 * - No exit code, and the task is STOPPED or never started: the job never ran (image pull, network,
 *   capacity, RunTask refused): 4.
 * - No exit code and the task is still going (the wait timed out) or ECS lost it: 3 (unfinished; a
 *   later run resumes).
 * - Without waiting, a launched shard counts as 0 and a shard that did not start as 4.
 */
export function shardExitCode(r: ShardResult, waited = true): number {
  if (!waited) return r.taskArn ? ExitCode.ok : ExitCode.preflight;
  if (r.exitCode !== undefined) {
    if (r.exitCode === 0) return ExitCode.ok;
    return EXIT_PRIORITY.includes(r.exitCode) ? r.exitCode : ExitCode.someFailed;
  }
  if (!r.taskArn || r.lastStatus === 'STOPPED' || r.lastStatus === NOT_STARTED) return ExitCode.preflight;
  return ExitCode.interrupted;
}

/** 0 when every code is 0, else the non-zero code that comes first in EXIT_PRIORITY. */
export function combineExitCodes(codes: readonly number[]): number {
  const failed = codes.filter((c) => c !== 0);
  if (failed.length === 0) return ExitCode.ok;
  for (const c of EXIT_PRIORITY) if (failed.includes(c)) return c;
  return ExitCode.someFailed;
}

export function combineShardResults(tasks: ShardResult[], opts: { waited: boolean; timedOut?: boolean; launchId: string }): LaunchResult {
  const codes = tasks.map((t) => shardExitCode(t, opts.waited));
  const exitCode = tasks.length === 0 ? ExitCode.preflight : combineExitCodes(codes);
  return { tasks, ok: tasks.length > 0 && exitCode === ExitCode.ok, exitCode, launchId: opts.launchId, waited: opts.waited, timedOut: Boolean(opts.timedOut) };
}

/** A shard's outcome from a DescribeTasks task: its status, the named container's exit code, the reasons. */
export function shardResultFromTask(shard: string, task: Task, containerName: string): ShardResult {
  const containers = task.containers ?? [];
  const container = containers.find((c) => c.name === containerName) ?? (containers.length === 1 ? containers[0] : undefined);
  const reasons = [task.stopCode && task.stopCode !== 'EssentialContainerExited' ? task.stopCode : undefined, task.stoppedReason, container?.reason]
    .map((r) => r?.trim())
    .filter((r): r is string => Boolean(r));
  const result: ShardResult = { shard, taskArn: task.taskArn ?? '', lastStatus: task.lastStatus ?? 'UNKNOWN' };
  if (typeof container?.exitCode === 'number') result.exitCode = container.exitCode;
  if (reasons.length > 0) result.stoppedReason = [...new Set(reasons)].join('; ');
  return result;
}

function taskId(arn: string): string {
  return arn ? arn.slice(arn.lastIndexOf('/') + 1) : '-';
}

/** A table of the shards and a summary line. */
export function formatLaunchResult(result: LaunchResult): string {
  const header = ['SHARD', 'TASK', 'STATUS', 'EXIT', 'REASON'];
  const rows = result.tasks.map((t) => [t.shard, taskId(t.taskArn), t.lastStatus, t.exitCode === undefined ? '-' : String(t.exitCode), t.stoppedReason ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const codes = result.tasks.map((t) => shardExitCode(t, result.waited));
  const failed = codes.filter((c) => c !== 0).length;
  const summary = result.waited
    ? `${result.tasks.length} shard${result.tasks.length === 1 ? '' : 's'}: ${result.tasks.length - failed} succeeded, ${failed} failed` +
      `${result.timedOut ? ' (stopped waiting before every shard finished)' : ''}; exit code ${result.exitCode}`
    : `${result.tasks.length} shard${result.tasks.length === 1 ? '' : 's'}: ` +
      `${result.tasks.length - failed} launched, ${failed} not started (not waiting for them); ` +
      `exit code ${result.exitCode}`;
  return [line(header), ...rows.map(line), summary, `launch id ${result.launchId}`].join('\n');
}

/** The result as JSON (snake_case, like the run report). */
export function launchResultJson(result: LaunchResult): Record<string, unknown> {
  return {
    launch_id: result.launchId,
    ok: result.ok,
    exit_code: result.exitCode,
    waited: result.waited,
    timed_out: result.timedOut,
    shards: result.tasks.map((t) => ({
      shard: t.shard,
      task_arn: t.taskArn || null,
      last_status: t.lastStatus,
      exit_code: t.exitCode ?? null,
      stopped_reason: t.stoppedReason ?? null,
      shard_exit_code: shardExitCode(t, result.waited),
    })),
  };
}
