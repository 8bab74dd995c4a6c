import type { SyncConfig } from '../config/schema.js';
import { effectiveMode } from '../engines/select.js';
import { computeKpis } from '../observe/kpi.js';
import type { PricingTable } from '../cost/pricing.js';
import { buildReport, type RunReport } from '../observe/report.js';
import { runCost, type RunCostContext } from '../cost/run-cost.js';
import type { Sides } from '../storage/sides.js';
import { s3Url } from '../storage/types.js';
import { exitCodeOf } from './exit-code.js';
import type { RunState } from './run-state.js';

/** The run's report: counts, cost (when the run got far enough to know its context), KPIs and the exit code. */
export function reportRun(
  config: SyncConfig,
  o: { command: 'sync' | 'plan'; dryRun: boolean },
  run: RunState,
  sides: Sides,
  costContext: RunCostContext | undefined,
  pricing: PricingTable,
): RunReport {
  const { counters, failures, fatal, interrupted } = run;
  const exitCode = exitCodeOf({
    fatal,
    interrupted,
    checksumMismatches: counters.checksumMismatches,
    failed: counters.failed,
    deletesRefused: failures.items.some((f) => f.error_class === 'delete-cap'),
  });
  const finishedAt = new Date();
  const durationSeconds = (finishedAt.getTime() - run.startedAt.getTime()) / 1000;
  const cost = costContext ? runCost(costContext, run.tally, counters, durationSeconds, pricing) : undefined;
  const kpis = computeKpis({
    durationSeconds,
    copiedBytes: counters.copiedBytes,
    copiedObjects: counters.copied,
    failedObjects: counters.failed,
    attemptedObjects: counters.copied + counters.failed,
    serverSideBytes: (counters.byEngine.s5cmd?.bytes ?? 0) + (counters.byEngine.sdk?.bytes ?? 0),
    costUsd: cost?.direct.total_usd,
    latency: run.latency,
  });
  const report = buildReport({
    runId: run.runId,
    command: o.command,
    dryRun: o.dryRun,
    startedAt: run.startedAt,
    finishedAt,
    mode: effectiveMode(config),
    syncMode: config.sync_mode,
    engine: run.engine,
    engineReason: run.engineReason,
    source: s3Url(sides.source.location),
    destination: s3Url(sides.dest.location),
    settings: run.settings,
    counters,
    plannedDeletes: run.plannedDeletes,
    failures,
    mismatches: run.mismatches,
    degradations: run.degradations,
    typesWithoutKeys: run.emptyTypes,
    cost,
    kpis,
    manifest: run.manifest,
    interrupted,
    exitCode,
    error: fatal?.message,
  });
  run.log.info('finished', { exit_code: exitCode, counts: report.counts });
  return report;
}
