/**
 * `--max-cost-usd` before a run starts (pure): is the estimated cost within the limit? The run
 * itself also stops at the limit as it goes; this refuses a run that would clearly pass it, and
 * says by how much.
 */
import type { EngineName } from '../engines/types.js';
import type { Estimate } from './estimate-types.js';
import { formatUsd } from '../units.js';

export interface CostGuardResult {
  ok: boolean;
  message?: string;
}

/** From this share of the limit on, a passing guard says how close the estimate is. */
export const COST_WARNING_SHARE = 0.8;

/**
 * `estimateUsd` against `maxUsd` (no limit: always ok, no message). Equal to the limit is within it.
 * Throws RangeError for an estimate that is not a number ≥ 0 or a limit that is not a positive number,
 * so a bad value never lets a run through unguarded.
 */
export function costGuard(estimateUsd: number, maxUsd: number | undefined): CostGuardResult {
  if (!Number.isFinite(estimateUsd) || estimateUsd < 0) throw new RangeError(`the cost estimate must be a number of dollars ≥ 0, got ${estimateUsd}`);
  if (maxUsd === undefined) return { ok: true };
  if (!Number.isFinite(maxUsd) || maxUsd <= 0) throw new RangeError(`--max-cost-usd must be a positive number of dollars, got ${maxUsd}`);
  const share = `${Math.round((estimateUsd / maxUsd) * 100)}%`;
  if (estimateUsd > maxUsd) {
    return {
      ok: false,
      message:
        `estimated cost ${formatUsd(estimateUsd)} exceeds --max-cost-usd ${formatUsd(maxUsd)} by ` +
        `${formatUsd(estimateUsd - maxUsd)} (${share} of the limit): narrow the selection (--market, --symbol, ` +
        `--date-from/--date-to), split the run, or raise the limit`,
    };
  }
  if (estimateUsd >= COST_WARNING_SHARE * maxUsd) {
    return { ok: true, message: `estimated cost ${formatUsd(estimateUsd)} is ${share} of --max-cost-usd ${formatUsd(maxUsd)}: close to the limit` };
  }
  return { ok: true, message: `estimated cost ${formatUsd(estimateUsd)} is within --max-cost-usd ${formatUsd(maxUsd)} (${share})` };
}

export interface ProjectedCost {
  engine: EngineName;
  /** What we pay for the run (requests, transfer, a month of storage, compute). */
  usd: number;
  /** Charges that fall on the source bucket's owner (not ours). */
  source_owner_usd: number;
  /**
   * `engine`: the engine asked for; `recommended`: none was asked for; `most-expensive`: the one asked for was not estimated,
   * so the dearest estimated engine (a guard errs high).
   */
  basis: 'engine' | 'recommended' | 'most-expensive';
}

/** The cost of a run from a capacity estimate: for `engine` when given, else for the recommended engine. */
export function projectedCost(estimate: Estimate, engine?: EngineName): ProjectedCost {
  if (estimate.engines.length === 0) throw new RangeError('the estimate has no engines');
  const wanted = engine ?? estimate.recommended_engine;
  const hit = estimate.engines.find((e) => e.engine === wanted);
  if (hit) return { engine: hit.engine, usd: hit.cost.total_usd, source_owner_usd: hit.cost.source_owner_usd, basis: engine ? 'engine' : 'recommended' };
  const dearest = [...estimate.engines].sort((a, b) => b.cost.total_usd - a.cost.total_usd)[0]!;
  return { engine: dearest.engine, usd: dearest.cost.total_usd, source_owner_usd: dearest.cost.source_owner_usd, basis: 'most-expensive' };
}
