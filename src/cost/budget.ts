/**
 * `--max-cost-usd`: the run's estimated cost so far (copies admitted plus listing, checking and
 * lease overhead) and whether one more object fits under it.
 */
import { overheadCost, type RunCostContext } from './run-cost.js';
import type { PricingTable } from './pricing.js';
import type { RequestTally } from '../storage/request-tally.js';

export type Admission = { ok: true } | { ok: false; committedUsd: number };

export class CostBudget {
  private copiesUsd = 0;

  constructor(
    /** The budget in dollars; undefined admits everything. */
    readonly maxUsd: number | undefined,
    /** What the run has cost so far apart from copies. */
    private readonly overheadUsd: () => number,
  ) {}

  /** Admits one more object costing `objectUsd`, unless the estimate so far plus it would pass the budget. */
  admit(objectUsd: number): Admission {
    if (this.maxUsd !== undefined) {
      const committedUsd = this.copiesUsd + this.overheadUsd();
      if (committedUsd + objectUsd > this.maxUsd) return { ok: false, committedUsd };
    }
    this.copiesUsd += objectUsd;
    return { ok: true };
  }
}

/** The listing, checking and lease cost so far, recomputed only when those request counts move. */
export function overheadMeter(ctx: RunCostContext, tally: RequestTally, pricing: PricingTable, leasePuts: () => number): () => number {
  let key = '';
  let usd = 0;
  return () => {
    const puts = leasePuts();
    const now = `${tally.source.list}/${tally.dest.list}/${tally.source.head}/${tally.dest.head}/${puts}`;
    if (now !== key) {
      key = now;
      usd = overheadCost(ctx, tally, pricing, puts);
    }
    return usd;
  };
}
