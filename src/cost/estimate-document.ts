/** What `estimate` prints: the workload, the rates, the engine sync would choose, the cost guard and the estimate. */
import type { EngineName } from '../engines/types.js';
import { formatBytes, formatUsd } from '../units.js';
import type { Estimate } from './estimate-types.js';
import { formatEstimate } from './format-estimate.js';
import type { CostGuardResult, ProjectedCost } from './guard.js';
import { significant, type EngineRate } from './rates.js';

export interface EstimateDocument {
  workload: {
    from: 'listing' | 'flags';
    source: string;
    selection: string;
    objects: number;
    bytes: number;
    zips?: number;
    checksums?: number;
    largest_bytes?: number;
    prefixes?: number;
    listing_seconds?: number;
  };
  rates: { from: string; measured: Partial<Record<EngineName, EngineRate>>; applied: Partial<Record<EngineName, EngineRate>>; notes: string[] };
  /** The engine sync would choose with this configuration on this machine, or why it would refuse. */
  job_engine: { engine: EngineName; reason: string } | { refused: string };
  cost_guard?: CostGuardResult & ProjectedCost & { max_usd: number };
  estimate: Estimate;
}

function describeRates(doc: EstimateDocument['rates']): string {
  const measured = Object.entries(doc.measured).map(
    ([engine, r]) => `${engine} ${significant(r.objectsPerSecond ?? 0)} objects/s, ${significant(r.mbPerSecond ?? 0)} MB/s`,
  );
  const head = measured.length > 0 ? `measured by ${doc.from}: ${measured.join('; ')}` : doc.from;
  return [head, ...doc.notes.map((n) => `  note: ${n}`)].join('\n');
}

export function formatEstimateDocument(d: EstimateDocument): string {
  const w = d.workload;
  const n = (x: number) => x.toLocaleString('en-US');
  const how =
    w.from === 'listing'
      ? `listed under ${w.source} in ${n(w.prefixes ?? 0)} ${w.prefixes === 1 ? 'prefix' : 'prefixes'}, ` +
        `${(w.listing_seconds ?? 0).toFixed(1)} s: ${n(w.zips ?? 0)} zips, ${n(w.checksums ?? 0)} .CHECKSUM files, ` +
        `largest ${formatBytes(w.largest_bytes ?? 0)}`
      : 'from --objects/--bytes, nothing listed';
  const engine = 'engine' in d.job_engine ? `${d.job_engine.engine} (${d.job_engine.reason})` : `none: sync would refuse (${d.job_engine.refused})`;
  const lines = [
    `Workload: ${n(w.objects)} objects, ${formatBytes(w.bytes)} (${how})`,
    `Selection: ${w.selection}`,
    `Rates: ${describeRates(d.rates)}`,
    `Engine sync would choose here: ${engine}`,
  ];
  if (d.cost_guard) {
    lines.push(
      `Cost guard (${d.cost_guard.engine}, ${formatUsd(d.cost_guard.usd)} against --max-cost-usd ` +
        `${formatUsd(d.cost_guard.max_usd)}): ${d.cost_guard.ok ? 'within' : 'OVER'} — ${d.cost_guard.message ?? ''}`,
    );
  }
  lines.push(formatEstimate(d.estimate));
  return lines.join('\n');
}

/** Where the rates came from, for the document's `rates.from`. */
export function ratesSource(reportFile: string | undefined, measured: Partial<Record<EngineName, EngineRate>>): string {
  if (!reportFile) return "the seed's planning defaults (bandwidth only); pass --from-report with a finished run's report for measured rates";
  return Object.keys(measured).length > 0
    ? `report ${reportFile}`
    : `report ${reportFile} gave no measured rate (no engine did 90% of its work, or no duration); the planning defaults apply`;
}
