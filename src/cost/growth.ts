/**
 * Growth scenarios (pure), after the seed's plan_for_growth: more objects, larger objects or more
 * runs are met with more workers, not bigger tasks, since copies stream through bounded queues.
 */
import type { EngineName } from '../engines/types.js';
import { GIB } from '../units.js';
import { estimateEngine, type EstimateContext } from './engine-estimate.js';
import type { GrowthMultipliers, GrowthPlan } from './estimate-types.js';

export const HOURS_PER_MONTH = 730;

export function planGrowth(ctx: EstimateContext, engine: EngineName, g: GrowthMultipliers): GrowthPlan {
  const m = { fileCount: g.fileCount ?? 2, fileSize: g.fileSize ?? 1.5, frequency: g.frequency ?? 1.2 };
  const objects = Math.round(ctx.input.objectCount * m.fileCount);
  const bytes = ctx.input.totalBytes * m.fileCount * m.fileSize;
  const runs = ctx.runsPerMonth * m.frequency;
  const now = estimateEngine({ ...ctx, warnings: [] }, engine, ctx.input.objectCount, ctx.input.totalBytes);
  const future = estimateEngine({ ...ctx, warnings: [] }, engine, objects, bytes);
  // Keep today's wall-clock time per run (or the deadline) by adding workers.
  const target = ctx.input.deadlineHours && ctx.input.deadlineHours > 0 ? ctx.input.deadlineHours : now.wall_clock_hours;
  const workersNeeded = target > 0 ? Math.max(1, Math.ceil(future.single_task_hours / target)) : 1;
  const wall = future.single_task_hours / workersNeeded;
  const gbPerDay = (bytes / GIB) * (runs / (HOURS_PER_MONTH / 24));
  const notes = [
    `memory per task stays ${future.task.memoryGb} GB: copies stream through bounded queues, ` +
      `so more data needs more workers, not more memory (the seed scaled memory with file count)`,
    `request rate grows ×${(m.fileCount * m.frequency).toFixed(2)} (objects × frequency) and CPU with it; ` +
      `network ×${(m.fileCount * m.fileSize).toFixed(2)} per run for streamed bytes only (server-side copies use none)`,
  ];
  if (workersNeeded > ctx.maxWorkers) notes.push(`needs ${workersNeeded} workers, above the configured maximum of ${ctx.maxWorkers}`);
  const runsOverlap = wall > HOURS_PER_MONTH / runs;
  if (runsOverlap) notes.push(`a run takes ${wall.toFixed(1)} h but runs start every ${(HOURS_PER_MONTH / runs).toFixed(1)} h: add workers or run less often`);
  const large = gbPerDay > 1000;
  const batchOps = gbPerDay > 5000;
  if (large) notes.push('over 1 TB/day: review sharding by prefix across workers and the S3 request-rate limits');
  if (batchOps) notes.push('over 5 TB/day: consider S3 Batch Operations or S3 Replication for the bulk, keeping this job for diff and verification');
  return {
    multipliers: m,
    objects_per_run: objects,
    bytes_per_run: bytes,
    runs_per_month: runs,
    gb_per_day: gbPerDay,
    engine,
    single_task_hours: future.single_task_hours,
    workers_needed: workersNeeded,
    wall_clock_hours: wall,
    runs_overlap: runsOverlap,
    monthly_usd: future.cost.total_usd * runs,
    scaling: {
      workers: workersNeeded / Math.max(1, now.workers),
      request_rate: m.fileCount * m.frequency,
      network: m.fileCount * m.fileSize,
      memory_per_task: 1,
    },
    flags: { large_volume_review: large, consider_s3_batch_operations: batchOps },
    notes,
  };
}
