import type { RunCounters } from '../observe/counters.js';
import { compareWithTraditional, estimateRunCost, type CostComparison, type RunWork } from './model.js';
import type { PricingTable } from './pricing.js';
import type { RequestTally } from '../storage/request-tally.js';
import { GIB } from '../units.js';

export interface RunCostContext {
  sourceRegion: string;
  destRegion: string;
  storageClass: string;
  /** The source bucket is someone else's public bucket (not Requester Pays): its charges are theirs. */
  sourceBucketOwnerPays: boolean;
  /** Set when the job runs as a Fargate task (from the task metadata). */
  fargate?: { vcpu: number; memoryGb: number; spot: boolean };
}

/** The run's work in the cost model's terms, from what was actually sent and copied. */
export function runWork(ctx: RunCostContext, tally: RequestTally, c: RunCounters, durationSeconds: number): RunWork {
  const s5cmd = c.byEngine.s5cmd ?? { objects: 0, bytes: 0 };
  const sdk = c.byEngine.sdk ?? { objects: 0, bytes: 0 };
  const stream = c.byEngine.stream ?? { objects: 0, bytes: 0 };
  return {
    listRequests: { source: tally.source.list, dest: tally.dest.list },
    getRequests: { source: tally.source.get, dest: tally.dest.get },
    headRequests: { source: tally.source.head, dest: tally.dest.head },
    // s5cmd's own requests are not seen by the job's clients: one CopyObject per object it copied.
    copyRequests: tally.dest.copy + s5cmd.objects,
    putRequests: tally.dest.put,
    bytesServerSide: s5cmd.bytes + sdk.bytes,
    bytesThroughJob: stream.bytes,
    sourceRegion: ctx.sourceRegion,
    destRegion: ctx.destRegion,
    storageClass: ctx.storageClass,
    storedBytes: c.copiedBytes,
    copiedObjects: c.copied,
    sourceBucketOwnerPays: ctx.sourceBucketOwnerPays,
    ...(ctx.fargate ? { fargate: { ...ctx.fargate, hours: durationSeconds / 3600 } } : {}),
  };
}

export function runCost(ctx: RunCostContext, tally: RequestTally, c: RunCounters, durationSeconds: number, pricing: PricingTable): CostComparison {
  return compareWithTraditional(runWork(ctx, tally, c, durationSeconds), pricing);
}

/** No work at all, in the run's regions and storage class: the base the other estimates add to. */
function noWork(ctx: RunCostContext): RunWork {
  return {
    listRequests: 0,
    getRequests: 0,
    headRequests: 0,
    copyRequests: 0,
    putRequests: 0,
    bytesServerSide: 0,
    bytesThroughJob: 0,
    sourceRegion: ctx.sourceRegion,
    destRegion: ctx.destRegion,
    storageClass: ctx.storageClass,
    storedBytes: 0,
    sourceBucketOwnerPays: ctx.sourceBucketOwnerPays,
  };
}

/**
 * What one more object of `bytes` adds to the bill, for `--max-cost-usd`: its copy (server-side,
 * or GET + PUT through the job), the read of its .CHECKSUM when verified, and its transfer and
 * storage; priced from the same model on a thousand-object sample, so the guard and the report agree.
 */
export function marginalCost(ctx: RunCostContext, pricing: PricingTable): (bytes: number, serverSide: boolean, verified: boolean) => number {
  const base = noWork(ctx);
  const N = 1000;
  const per = (w: Partial<RunWork>) => estimateRunCost({ ...base, ...w }, pricing).total_usd / N;
  const copy = per({ copyRequests: N, copiedObjects: N });
  const streamed = per({ putRequests: N, getRequests: { source: N, dest: 0 }, copiedObjects: N });
  const verify = per({ getRequests: { source: N, dest: 0 } });
  const perGbServer = estimateRunCost({ ...base, bytesServerSide: GIB, storedBytes: GIB }, pricing).total_usd;
  const perGbThrough = estimateRunCost({ ...base, bytesThroughJob: GIB, storedBytes: GIB }, pricing).total_usd;
  return (bytes, serverSide, verified) => (verified ? verify : 0) + (serverSide ? copy + (perGbServer * bytes) / GIB : streamed + (perGbThrough * bytes) / GIB);
}

/**
 * What the listings and checks sent so far cost (the part of the bill that does not depend on
 * copies), plus `otherPuts` writes that are not copies (the destination lease's).
 */
export function overheadCost(ctx: RunCostContext, tally: RequestTally, pricing: PricingTable, otherPuts = 0): number {
  return estimateRunCost(
    {
      ...noWork(ctx),
      listRequests: { source: tally.source.list, dest: tally.dest.list },
      headRequests: { source: tally.source.head, dest: tally.dest.head },
      putRequests: otherPuts,
    },
    pricing,
  ).total_usd;
}
