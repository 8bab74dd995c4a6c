import type { CostComparison } from '../cost/model.js';
import type { BoundedList, Degradation, FailureRecord, MismatchRecord, RunCounters } from './counters.js';
import type { Kpis } from './kpi.js';
import { formatBytes, MIB } from '../units.js';

export interface RunReport {
  run_id: string;
  command: 'sync' | 'plan';
  dry_run: boolean;
  started_at: string;
  finished_at: string;
  duration_seconds: number;
  mode: string;
  sync_mode: string;
  engine: string;
  engine_reason: string;
  source: string;
  destination: string;
  /** The sized settings the run used and the resources they were sized for. */
  settings: Record<string, unknown>;
  counts: {
    listed: number;
    planned: number;
    copied: number;
    skipped: number;
    deleted: number;
    failed: number;
    vanished: number;
    verified: number;
    checksum_mismatches: number;
    missing_checksums: number;
    retries: number;
    planned_deletes: number;
  };
  bytes: { planned: number; copied: number };
  rates: { mb_per_second: number; files_per_second: number };
  engines: Record<string, { objects: number; bytes: number }>;
  /** Objects routed to each engine, by reason, before any fallback. */
  routes: Record<string, Record<string, number>>;
  failures: FailureRecord[];
  failures_not_listed: number;
  checksum_mismatches: MismatchRecord[];
  degradations: Degradation[];
  /** Selected data types (market/frequency/type) in which the symbol filter selected no key; absent when none. */
  types_without_keys?: string[];
  /** Estimated cost of this run, and what download-and-upload would have cost for the same work. */
  cost?: CostComparison;
  kpis?: Kpis;
  manifest?: { path: string; entries: number; uploaded_to?: string };
  interrupted: boolean;
  exit_code: number;
  error?: string;
}

export interface ReportInput {
  runId: string;
  command: 'sync' | 'plan';
  dryRun: boolean;
  startedAt: Date;
  finishedAt: Date;
  mode: string;
  syncMode: string;
  engine: string;
  engineReason: string;
  source: string;
  destination: string;
  settings?: Record<string, unknown>;
  counters: RunCounters;
  plannedDeletes: number;
  failures: BoundedList<FailureRecord>;
  mismatches: BoundedList<MismatchRecord>;
  degradations: Degradation[];
  typesWithoutKeys?: string[];
  cost?: CostComparison;
  kpis?: Kpis;
  manifest?: { path: string; entries: number; uploaded_to?: string };
  interrupted: boolean;
  exitCode: number;
  error?: string;
}

export function buildReport(i: ReportInput): RunReport {
  const seconds = Math.max(0, (i.finishedAt.getTime() - i.startedAt.getTime()) / 1000);
  const c = i.counters;
  return {
    run_id: i.runId,
    command: i.command,
    dry_run: i.dryRun,
    started_at: i.startedAt.toISOString(),
    finished_at: i.finishedAt.toISOString(),
    duration_seconds: round(seconds, 3),
    mode: i.mode,
    sync_mode: i.syncMode,
    engine: i.engine,
    engine_reason: i.engineReason,
    source: i.source,
    destination: i.destination,
    settings: i.settings ?? {},
    counts: {
      listed: c.listed,
      planned: c.planned,
      copied: c.copied,
      skipped: c.skipped,
      deleted: c.deleted,
      failed: c.failed,
      vanished: c.vanished,
      verified: c.verified,
      checksum_mismatches: c.checksumMismatches,
      missing_checksums: c.missingChecksums,
      retries: c.retries,
      planned_deletes: i.plannedDeletes,
    },
    bytes: { planned: c.plannedBytes, copied: c.copiedBytes },
    rates: {
      mb_per_second: seconds > 0 ? round(c.copiedBytes / MIB / seconds, 3) : 0,
      files_per_second: seconds > 0 ? round(c.copied / seconds, 3) : 0,
    },
    engines: c.byEngine,
    routes: c.routes,
    failures: i.failures.items,
    failures_not_listed: i.failures.dropped,
    checksum_mismatches: i.mismatches.items,
    degradations: i.degradations,
    ...(i.typesWithoutKeys?.length ? { types_without_keys: i.typesWithoutKeys } : {}),
    ...(i.cost ? { cost: i.cost } : {}),
    ...(i.kpis ? { kpis: i.kpis } : {}),
    ...(i.manifest ? { manifest: i.manifest } : {}),
    interrupted: i.interrupted,
    exit_code: i.exitCode,
    ...(i.error ? { error: i.error } : {}),
  };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** The report as a person reads it at the end of a run. */
export function formatReport(r: RunReport): string {
  const c = r.counts;
  const lines = [
    `${r.command === 'plan' || r.dry_run ? 'Plan' : 'Sync'} ${r.run_id}: ${r.source} -> ${r.destination}`,
    `  mode ${r.mode} (${r.sync_mode}), engine ${r.engine}: ${r.engine_reason}`,
    `  listed ${c.listed}, planned ${c.planned} (${formatBytes(r.bytes.planned)}), ` +
      `copied ${c.copied} (${formatBytes(r.bytes.copied)}), skipped ${c.skipped}, ` +
      `deleted ${c.deleted}${c.planned_deletes > c.deleted ? ` of ${c.planned_deletes} planned` : ''}, ` +
      `failed ${c.failed}`,
    `  verified ${c.verified} against .CHECKSUM, mismatches ${c.checksum_mismatches}, zips without .CHECKSUM ${c.missing_checksums}, retries ${c.retries}`,
    `  ${r.duration_seconds.toFixed(1)} s, ${r.rates.mb_per_second.toFixed(2)} MB/s, ${r.rates.files_per_second.toFixed(1)} files/s`,
  ];
  for (const [name, e] of Object.entries(r.engines)) lines.push(`  by ${name}: ${e.objects} objects, ${formatBytes(e.bytes)}`);
  for (const [name, reasons] of Object.entries(r.routes)) {
    lines.push(
      `  routed to ${name}: ${Object.entries(reasons)
        .map(([why, n]) => `${n} (${why})`)
        .join(', ')}`,
    );
  }
  if (r.kpis) {
    const l = r.kpis.latency_ms;
    lines.push(
      `  success ${r.kpis.success_rate_percent.toFixed(1)}%, errors ${r.kpis.error_rate_percent.toFixed(1)}%, ` +
        `${formatBytes(r.kpis.bytes_not_through_job)} never passed through the job (server-side)`,
    );
    if (l)
      lines.push(
        `  copy latency ms: avg ${l.avg.toFixed(1)}, min ${l.min.toFixed(1)}, p50 ${l.p50.toFixed(1)}, ` +
          `p95 ${l.p95.toFixed(1)}, p99 ${l.p99.toFixed(1)}, max ${l.max.toFixed(1)}`,
      );
  }
  if (r.cost) {
    lines.push(
      `  estimated cost $${r.cost.direct.total_usd.toFixed(6)} (download-and-upload would cost ` +
        `$${r.cost.traditional.total_usd.toFixed(6)}, saving ${r.cost.savings_percent.toFixed(0)}%), ` +
        `prices as of ${r.cost.direct.pricing_as_of}`,
    );
  }
  if (r.manifest)
    lines.push(`  manifest ${r.manifest.path} (${r.manifest.entries} objects)${r.manifest.uploaded_to ? ` uploaded to ${r.manifest.uploaded_to}` : ''}`);
  for (const d of r.degradations) lines.push(`  degraded ${d.from} -> ${d.to}: ${d.reason}`);
  if (r.types_without_keys) lines.push(`  the symbol filter selects no keys in: ${r.types_without_keys.join(', ')}`);
  for (const m of r.checksum_mismatches) lines.push(`  CHECKSUM MISMATCH ${m.key}: expected ${m.expected_sha256}, got ${m.actual_sha256}`);
  for (const f of r.failures.slice(0, 20)) lines.push(`  FAILED ${f.key} [${f.error_class}${f.code ? ' ' + f.code : ''}] ${f.message}`);
  if (r.failures.length > 20 || r.failures_not_listed > 0)
    lines.push(`  ... ${r.failures.length - 20 + r.failures_not_listed} more failures in the JSON report`);
  if (r.interrupted) lines.push('  INTERRUPTED: run again to finish; nothing already copied is copied again');
  if (r.error) lines.push(`  error: ${r.error}`);
  lines.push(`  exit code ${r.exit_code}`);
  return lines.join('\n');
}
