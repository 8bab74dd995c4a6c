/**
 * Capacity and cost planning (pure), after the seed's estimate_transfer_capacity, plan_for_growth and
 * recommend_cost_optimizations, with their mistakes fixed:
 * - Units: the seed computed hours as `GB*1024 / (rate_mbps*3600/8)`, treating its 50 "mbps" as
 *   megabits, while its own transfer_rate_mbps metric is megabytes per second. Here every rate is
 *   MB/s (MiB per second) and only the bandwidth shown for the network is in Mbit/s (× 8.388608).
 * - Small objects: the archive is tens of millions of small zips, so the object rate (requests per
 *   second), not bandwidth, usually decides the duration. Duration = max(objects / objects-per-s,
 *   bytes / MB-per-s), and the estimate says which bound applies.
 * - Resources: the seed scaled memory and CPU with the day's data volume. This job streams with
 *   bounded queues, so memory depends on concurrency and part size, CPU on the request and streamed
 *   byte rates; growth is met with more workers, not bigger memory.
 * - Cost recommendations are computed from prices, and only offered where they save money (S3
 *   Standard-IA bills at least 128 KB per object, Glacier adds 40 KB of overhead per object and a
 *   per-object transition fee, both of which can make "cheaper" classes dearer for small zips).
 *   The seed's "increase batch_size to reduce requests" is wrong: S3 bills per object whatever the
 *   batch size; what saves requests is skipping unchanged objects (enable_incremental).
 */
import type { SyncConfig } from '../config/schema.js';
import type { EngineName } from '../engines/types.js';
import { engineRate, estimateContext, estimateEngine, type EstimateContext } from './engine-estimate.js';
import type { Estimate, EstimateInput } from './estimate-types.js';
import { planGrowth } from './growth.js';
import type { PricingTable } from './pricing.js';
import { ENGINES } from './rates.js';
import { recommend } from './recommend.js';
import { PLANNING_RULES } from './task-size.js';

/** The engines a run with this configuration may use (undefined: let the estimate consider all). */
export function enginesFor(config: SyncConfig): EngineName[] | undefined {
  if (config.engine) return [config.engine];
  if (!config.enable_s3_direct_sync || config.operation_mode === 'traditional') return ['stream'];
  if (config.operation_mode === 'direct_sync') return ['s5cmd', 'sdk'];
  return undefined;
}

/** The engines to estimate, with a warning for each one whose rates make its duration meaningless. */
function enginesToEstimate(ctx: EstimateContext): EngineName[] {
  const { input } = ctx;
  const serverSide = input.serverSidePossible ?? true;
  let engines = input.engines ?? (serverSide ? [...ENGINES] : ['stream' as const]);
  if (!serverSide && engines.some((e) => e !== 'stream')) {
    ctx.warnings.push('no server-side copy is possible between these endpoints: only the stream engine applies');
    engines = ['stream'];
  }
  for (const e of engines) {
    const r = engineRate(ctx, e);
    if (!r.objectsPerSecond)
      ctx.warnings.push(`no objects/s rate for ${e}: its duration counts bandwidth only, far too optimistic for many small objects; pass measured rates`);
    if (!r.objectsPerSecond && !r.mbPerSecond) ctx.warnings.push(`no rate at all for ${e}: its duration is 0`);
  }
  return engines;
}

export function estimateCapacity(input: EstimateInput, pricing: PricingTable): Estimate {
  if (!(input.objectCount >= 0) || !(input.totalBytes >= 0)) throw new RangeError('objectCount and totalBytes must be numbers ≥ 0');
  const ctx = estimateContext(input, pricing);
  const results = enginesToEstimate(ctx).map((e) => estimateEngine(ctx, e, input.objectCount, input.totalBytes));
  const best = [...results].sort((a, b) => a.wall_clock_hours - b.wall_clock_hours || a.cost.total_usd - b.cost.total_usd)[0]!;
  for (const r of results) {
    const rate = (r.rate.objectsPerSecond ?? 0) * r.workers;
    if (rate > PLANNING_RULES.s3WritesPerPrefixPerSecond) {
      ctx.warnings.push(
        `${r.engine}: ${Math.round(rate)} writes/s exceeds S3's ${PLANNING_RULES.s3WritesPerPrefixPerSecond} PUT/COPY ` +
          `per second per prefix; shard workers by prefix (the archive has one per symbol and interval)`,
      );
    }
  }
  const growth = (input.growth ?? []).map((g) => planGrowth(ctx, best.engine, g));
  const { recommendations, notRecommended } = recommend(ctx, best);
  return {
    input: {
      objects: input.objectCount,
      bytes: input.totalBytes,
      avg_object_bytes: ctx.avg,
      source_region: input.sourceRegion,
      dest_region: input.destRegion,
      job_region: ctx.jobRegion,
      storage_class: ctx.storageClass,
      runs_per_month: ctx.runsPerMonth,
    },
    engines: results,
    recommended_engine: best.engine,
    growth,
    recommendations,
    not_recommended: notRecommended,
    warnings: ctx.warnings,
    pricing_as_of: pricing.as_of,
  };
}
