/**
 * The plan, fed to the copiers as it is made: both listings merged in key order, checks settled by
 * a HEAD, copies admitted by the cost budget and dispatched, deletes kept for after the copies. A
 * server that lists out of S3's order makes the plan start again with listings sorted on disk.
 */
import type { SyncConfig } from '../config/schema.js';
import type { CostBudget } from '../cost/budget.js';
import type { EngineName } from '../engines/types.js';
import { PreflightError } from '../exit-codes.js';
import { resolveCheck } from '../plan/check.js';
import type { Action } from '../plan/diff.js';
import { planActions } from '../plan/planner.js';
import type { ShardSpec } from '../plan/shard.js';
import { TypeTally } from '../plan/type-tally.js';
import { LEASE_DIR } from '../storage/lease.js';
import { ListingOrderError } from '../storage/listing.js';
import type { Sides } from '../storage/sides.js';
import { ChecksumCorrections } from '../verify/corrections.js';
import type { RunClients } from './clients.js';
import type { Copier, PlanFeed } from './copy-stage.js';
import type { RunState } from './run-state.js';
import type { RunScope } from './setup.js';

export const MANIFEST_DIR = '_manifests/';

export interface PlanStageInput {
  config: SyncConfig;
  run: RunState;
  sides: Sides;
  clients: RunClients;
  scope: RunScope;
  engine: EngineName;
  copier: Copier;
  budget: CostBudget;
  /** What one object adds to the bill (marginalCost). */
  costOf: (bytes: number, serverSide: boolean, verified: boolean) => number;
  listPrefetch: number;
  /** ListObjectsV2 requests in flight per side (key ranges of a prefix listed at once). */
  listConcurrency: number;
  shard?: ShardSpec;
  onAction?: (a: Action) => void;
}

/** What the delete stage needs from the plan: the deletes kept, and the selected objects per side (the guards weigh them). */
export interface PlanTotals {
  deletes: string[];
  sourceSeen: number;
  destSeen: number;
}

export async function planAndCopy(i: PlanStageInput): Promise<PlanTotals> {
  for (let sortListings = false; ; sortListings = true) {
    const { counters } = i.run;
    counters.listed = counters.planned = counters.plannedBytes = counters.skipped = 0;
    i.run.plannedDeletes = 0;
    const totals: PlanTotals = { deletes: [], sourceSeen: 0, destSeen: 0 };
    try {
      await walkPlan(i, totals, sortListings);
      return totals;
    } catch (err) {
      if (err instanceof ListingOrderError && !sortListings) {
        i.run.degrade('streamed listing', 'sorted listing', `${err.message}; planning again with listings sorted on disk`);
        continue;
      }
      throw err;
    }
  }
}

async function walkPlan(i: PlanStageInput, totals: PlanTotals, sortListings: boolean): Promise<void> {
  const { config, run, sides } = i;
  const selected = (rel: string) =>
    !rel.startsWith(MANIFEST_DIR) && !rel.startsWith(LEASE_DIR) && i.scope.selection.matches(sides.source.location.prefix + rel);
  const corrections = new ChecksumCorrections();
  const types = new TypeTally();
  const feed = i.copier.planFeed(selected);
  for await (const action of planActions({
    source: { client: i.clients.source, location: sides.source.location },
    dest: { client: i.clients.dest, location: sides.dest.location },
    prefixes: i.scope.relPrefixes,
    selection: i.scope.selection,
    shard: i.shard,
    prefetch: i.listPrefetch,
    listConcurrency: i.listConcurrency,
    incremental: config.enable_incremental,
    deleteExtras: config.sync_mode === 'sync',
    destinationEtags: config.destination_etags,
    selected,
    sortListings,
    onListed: () => run.counters.listed++,
    onUnits: (units) => types.planned(units),
    signal: run.stop,
  })) {
    if (run.stop.aborted || run.budgetReached) break;
    if (action.kind !== 'delete') {
      totals.sourceSeen++;
      types.selected(action.key);
    }
    if (action.kind !== 'copy' || action.dest) totals.destSeen++;
    const decided = action.kind === 'check' ? await resolveCheck(i.clients.dest, sides.dest.location, action) : action;
    if (!(await take(i, decided, totals, feed))) break;
    const zip = corrections.next(decided.kind, decided.key);
    if (zip !== undefined && run.writes && config.verify_checksums) await i.copier.verifier.submit(zip);
  }
  await feed.end();
  if (!run.stop.aborted && !run.budgetReached) warnOfEmptyTypes(i, types.empty());
}

/** A symbol filter that selected nothing in some planned data types (a symbol that is not traded there): one warning naming them. */
function warnOfEmptyTypes(i: PlanStageInput, empty: string[]): void {
  if (empty.length === 0 || i.config.selection.symbols.length === 0) return;
  i.run.emptyTypes = empty;
  i.run.log.warn(`the symbol filter selects no keys in ${empty.length} data ${empty.length === 1 ? 'type' : 'types'}${i.shard ? ' of this shard' : ''}`, {
    symbols: i.config.selection.symbols,
    data_types: empty,
  });
}

/** One decided action: counted, kept or dispatched. False when the budget refuses a copy (the plan stops). */
async function take(i: PlanStageInput, decided: Action, totals: PlanTotals, feed: PlanFeed): Promise<boolean> {
  const { config, run } = i;
  const { counters } = run;
  if (decided.kind === 'skip') {
    counters.skipped++;
    await feed.listed(decided.key, decided.source.etag);
  } else if (decided.kind === 'delete') {
    run.plannedDeletes++;
    if (totals.deletes.length <= config.max_delete) totals.deletes.push(decided.key);
    i.onAction?.(decided);
  } else if (decided.kind === 'copy') {
    const usd = i.costOf(decided.source.size, i.engine !== 'stream', config.verify_checksums && decided.key.endsWith('.zip'));
    const admitted = i.budget.admit(usd);
    if (!admitted.ok) {
      stopForBudget(i, decided.key, usd, admitted.committedUsd);
      return false;
    }
    counters.planned++;
    counters.plannedBytes += decided.source.size;
    i.onAction?.(decided);
    await feed.listed(decided.key, decided.source.etag, { key: decided.key, size: decided.source.size, etag: decided.source.etag });
  }
  return true;
}

/** The budget: stop before an object whose copy would take the estimate past it (exit 4, with the estimate). */
function stopForBudget(i: PlanStageInput, key: string, usd: number, committedUsd: number): void {
  const { run } = i;
  const max = i.budget.maxUsd;
  run.budgetReached = true;
  run.fatal = new PreflightError(
    `stopped before exceeding --max-cost-usd ${max}: ${run.counters.planned} objects copied or in flight, $${committedUsd.toFixed(6)} estimated so far; ` +
      `the next (${key}) would add $${usd.toFixed(6)}`,
  );
  run.log.error('cost budget reached; starting no more copies', { max_cost_usd: max, committed_usd: committedUsd });
}
