/**
 * Cost recommendations (pure), after the seed's recommend_cost_optimizations: computed from prices
 * and offered only where they save money; the others are listed with the reason they do not.
 */
import { formatBytes, formatUsd, GIB } from '../units.js';
import { billableStoredBytes, plannedWork, type EstimateContext } from './engine-estimate.js';
import type { EngineEstimate, NotRecommended, Recommendation } from './estimate-types.js';
import { estimateRunCost } from './model.js';
import { isPricedStorageClass, pricesFor, putPricePer1000, type RegionPrices } from './pricing.js';

/** What each piece of advice adds to. */
interface Advice {
  recs: Recommendation[];
  no: NotRecommended[];
}

/** A month of storing the run's objects in `cls` at the destination, with per-object minimums and overheads. */
function monthlyStorage(ctx: EstimateContext, dst: RegionPrices): (cls: string) => number {
  return (cls: string) => {
    const b = billableStoredBytes(cls, ctx.input.objectCount, ctx.avg);
    const price = dst.s3_storage_per_gb_month[isPricedStorageClass(cls) ? cls : 'STANDARD'];
    return (b.bytes / GIB) * price + (b.standardOverheadBytes / GIB) * dst.s3_storage_per_gb_month.STANDARD;
  };
}

/** Storage class for infrequently read data. */
function adviseStorageClass(ctx: EstimateContext, dst: RegionPrices, storage: (cls: string) => number, { recs, no }: Advice): void {
  const { input, avg } = ctx;
  const objects = input.objectCount;
  if ((input.accessFrequency === 'infrequent' || input.accessFrequency === 'rare') && ctx.storageClass === 'STANDARD') {
    const saving = storage('STANDARD') - storage('STANDARD_IA');
    const extraPut = (objects / 1000) * (putPricePer1000(dst, 'STANDARD_IA').price - putPricePer1000(dst, 'STANDARD').price);
    if (saving > 0) {
      recs.push({
        strategy: 'storage_class',
        description:
          `Store as STANDARD_IA: ${formatUsd(storage('STANDARD'))} → ${formatUsd(storage('STANDARD_IA'))} per month ` +
          `(128 KB minimum per object counted); writes cost ${formatUsd(extraPut)} more once, ` +
          `repaid in ${(extraPut / saving).toFixed(1)} months; reads pay a retrieval fee per GB`,
        estimated_monthly_savings_usd: saving,
        implementation: 'performance_optimization.storage_class: "STANDARD_IA"',
      });
    } else {
      no.push({
        strategy: 'storage_class',
        reason:
          `STANDARD_IA would cost more (${formatUsd(storage('STANDARD_IA'))} vs ${formatUsd(storage('STANDARD'))} a month): ` +
          `objects average ${formatBytes(avg)}, below its 128 KB minimum billable size`,
      });
    }
  }
}

/** Region placement. */
function adviseRegionPlacement(ctx: EstimateContext, best: EngineEstimate, { recs, no }: Advice): void {
  const { input } = ctx;
  const cost = best.cost;
  const runs = ctx.runsPerMonth;
  const transferOurs = cost.items.filter((i) => i.category === 'transfer' && i.billed_to === 'us').reduce((s, i) => s + i.usd, 0);
  if (input.sourceRegion !== input.destRegion) {
    if (transferOurs > 0) {
      recs.push({
        strategy: 'region_placement',
        description:
          `Data transfer is ${formatUsd(transferOurs)} per run; a destination bucket (and tasks) ` +
          `in ${input.sourceRegion} copies within the region for free`,
        estimated_monthly_savings_usd: transferOurs * runs,
        implementation: `destination bucket in ${input.sourceRegion}, tasks in ${input.sourceRegion}`,
      });
    } else {
      no.push({ strategy: 'region_placement', reason: 'cross-region transfer is billed to the source bucket owner, not to us' });
    }
  }
}

/** Lifecycle to Glacier after 90 days. */
function adviseLifecycle(ctx: EstimateContext, dst: RegionPrices, storage: (cls: string) => number, { recs, no }: Advice): void {
  const { input, avg } = ctx;
  const objects = input.objectCount;
  if (ctx.storageClass !== 'GLACIER' && ctx.storageClass !== 'DEEP_ARCHIVE') {
    const now = storage(ctx.storageClass);
    const glacier = storage('GLACIER');
    const saving = now - glacier;
    const putGlacier = putPricePer1000(dst, 'GLACIER');
    const transition = (objects / 1000) * putGlacier.price;
    const breakEven = saving > 0 ? transition / saving : Number.POSITIVE_INFINITY;
    if (!putGlacier.known) ctx.warnings.push(`no GLACIER transition price for ${input.destRegion}; lifecycle advice used the Standard request price`);
    if (saving > 0 && breakEven <= 12) {
      recs.push({
        strategy: 'lifecycle_glacier',
        description:
          `Move objects older than 90 days to GLACIER (Flexible Retrieval): ` +
          `${formatUsd(now)} → ${formatUsd(glacier)} per month once transitioned (40 KB overhead per object counted); ` +
          `transitions cost ${formatUsd(transition)} once, ` +
          `repaid in ${breakEven.toFixed(1)} months. Archived objects must be restored before reading; ` +
          `GLACIER_IR keeps instant reads`,
        estimated_monthly_savings_usd: saving,
        implementation: 'S3 lifecycle transition to GLACIER after 90 days (terraform: destination_glacier_after_days = 90)',
      });
    } else {
      no.push({
        strategy: 'lifecycle_glacier',
        reason:
          saving > 0
            ? `transition fees (${formatUsd(transition)} for ${objects.toLocaleString('en-US')} objects) ` +
              `take ${breakEven.toFixed(0)} months to repay at ${formatUsd(saving)}/month`
            : `per-object overhead makes GLACIER dearer for objects of ${formatBytes(avg)} (${formatUsd(glacier)} vs ${formatUsd(now)} a month)`,
      });
    }
  }
}

/** Requests: per object, whatever the batch size; incremental reruns skip unchanged objects. */
function adviseRequests(ctx: EstimateContext, best: EngineEstimate, { recs, no }: Advice): void {
  const cost = best.cost;
  const runs = ctx.runsPerMonth;
  const requestOurs = cost.by_category.requests;
  if (requestOurs > 0) {
    const listOnly = cost.items.filter((i) => i.category === 'requests' && i.item.startsWith('LIST') && i.billed_to === 'us').reduce((s, i) => s + i.usd, 0);
    const perRerun = requestOurs - listOnly;
    if (perRerun > 0 && runs > 1) {
      recs.push({
        strategy: 'request_optimization',
        description:
          `Requests cost ${formatUsd(requestOurs)} per full run and are billed per object (batch_size does not change them). ` +
          `With incremental sync a rerun of unchanged data costs ${formatUsd(listOnly)} (LIST only)`,
        estimated_monthly_savings_usd: perRerun * (runs - 1),
        implementation: 'enable_incremental: true (the default); keep sync_mode copy unless deletions must be mirrored',
      });
    } else if (perRerun > 0) {
      no.push({
        strategy: 'request_optimization',
        reason:
          `one run a month: the ${formatUsd(requestOurs)} of requests is the copy itself; ` + `reruns with enable_incremental cost only ${formatUsd(listOnly)}`,
      });
    }
  }
}

/** Fargate Spot. */
function adviseSpot(ctx: EstimateContext, best: EngineEstimate, { recs }: Advice): void {
  const { input, pricing } = ctx;
  const objects = input.objectCount;
  const cost = best.cost;
  const runs = ctx.runsPerMonth;
  if (!input.spot && cost.by_category.compute > 0) {
    const spotWork = plannedWork(
      { ...ctx, input: { ...input, spot: true } },
      best.engine,
      objects,
      input.totalBytes,
      best.workers,
      best.single_task_hours,
      best.task,
    );
    const spotCost = estimateRunCost(spotWork, pricing).by_category.compute;
    const saving = (cost.by_category.compute - spotCost) * runs;
    if (saving > 0) {
      recs.push({
        strategy: 'fargate_spot',
        description:
          `Run on Fargate Spot: compute ${formatUsd(cost.by_category.compute)} → ${formatUsd(spotCost)} per run. ` +
          `An interrupted run exits 3 and the next run resumes without copying anything twice`,
        estimated_monthly_savings_usd: saving,
        implementation: 'ECS capacity provider FARGATE_SPOT (terraform: use_fargate_spot = true)',
      });
    }
  }
}

export function recommend(ctx: EstimateContext, best: EngineEstimate): { recommendations: Recommendation[]; notRecommended: NotRecommended[] } {
  const advice: Advice = { recs: [], no: [] };
  const dst = pricesFor(ctx.pricing, ctx.input.destRegion).prices;
  const storage = monthlyStorage(ctx, dst);
  adviseStorageClass(ctx, dst, storage, advice);
  adviseRegionPlacement(ctx, best, advice);
  adviseLifecycle(ctx, dst, storage, advice);
  adviseRequests(ctx, best, advice);
  adviseSpot(ctx, best, advice);
  advice.recs.sort((a, b) => b.estimated_monthly_savings_usd - a.estimated_monthly_savings_usd);
  return { recommendations: advice.recs, notRecommended: advice.no };
}
