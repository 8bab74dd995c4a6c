/**
 * Engine rates for planning: the defaults, those measured by a finished run, and measured rates made
 * fit for another workload. Every rate is MB/s (MiB per second) or objects per second; the seed's
 * 50 "mbps" was treated as megabits although its own metric was megabytes per second.
 */
import { readFile } from 'node:fs/promises';
import type { EngineName } from '../engines/types.js';
import { formatBytes, MIB } from '../units.js';

export const ENGINES: readonly EngineName[] = ['s5cmd', 'sdk', 'stream'];

/** Throughput of one task (one worker) with one engine. */
export interface EngineRate {
  objectsPerSecond?: number;
  mbPerSecond?: number;
}

/**
 * The seed's planning figures (direct sync 50, traditional 20; MB/s, see above). They bound bandwidth
 * only; pass measured rates (ratesFromReport) for real planning, above all the object rate.
 */
export const DEFAULT_ENGINE_RATES: Readonly<Record<EngineName, EngineRate>> = Object.freeze({
  s5cmd: { mbPerSecond: 50 },
  sdk: { mbPerSecond: 50 },
  stream: { mbPerSecond: 20 },
});

/** Per-engine rates measured by a finished run (its report's engines section and duration). */
export function ratesFromReport(r: {
  duration_seconds: number;
  engine: string;
  engines: Record<string, { objects: number; bytes: number }>;
  routes?: Record<string, Record<string, number>>;
}): Partial<Record<EngineName, EngineRate>> {
  const out: Partial<Record<EngineName, EngineRate>> = {};
  if (!(r.duration_seconds > 0)) return out;
  const total = Object.values(r.engines).reduce((s, e) => s + e.objects, 0);
  for (const [name, e] of Object.entries(r.engines)) {
    // Only an engine that did (nearly) all the work had the whole duration to itself.
    if (!(ENGINES as readonly string[]).includes(name) || e.objects === 0 || e.objects < 0.9 * total) continue;
    out[name as EngineName] = { objectsPerSecond: e.objects / r.duration_seconds, mbPerSecond: e.bytes / MIB / r.duration_seconds };
  }
  // A verified run on the sdk engine hands what needs no SHA-256 to s5cmd (engines/select.ts): that
  // split is how the engine runs, so the whole run's rate is its rate.
  const split = Object.values(r.routes ?? {}).some((reasons) => VERIFIED_SPLIT in reasons);
  if (split && total > 0 && (ENGINES as readonly string[]).includes(r.engine) && !out[r.engine as EngineName]) {
    const bytes = Object.values(r.engines).reduce((s, e) => s + e.bytes, 0);
    out[r.engine as EngineName] = { objectsPerSecond: total / r.duration_seconds, mbPerSecond: bytes / MIB / r.duration_seconds };
  }
  return out;
}

/** The route reason (engines/select.ts RouteReason) of objects a verified sdk run gives s5cmd. */
const VERIFIED_SPLIT = 'needs no SHA-256';

/** A report file that cannot be read or is not a run report; the message names the file. */
export class RatesFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RatesFileError';
  }
}

/** Measured per-engine rates from a run report file; throws RatesFileError for a file that is not a report. */
export async function ratesFromReportFile(path: string): Promise<Partial<Record<EngineName, EngineRate>>> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new RatesFileError(`--from-report ${path}: ${(err as Error).message}`);
  }
  const r = doc as { duration_seconds?: unknown; engine?: unknown; engines?: unknown; routes?: unknown };
  const engines = r?.engines;
  const enginesOk =
    typeof engines === 'object' &&
    engines !== null &&
    Object.values(engines).every(
      (e: unknown) => typeof (e as { objects?: unknown })?.objects === 'number' && typeof (e as { bytes?: unknown })?.bytes === 'number',
    );
  if (typeof r?.duration_seconds !== 'number' || typeof r.engine !== 'string' || !enginesOk) {
    throw new RatesFileError(
      `--from-report ${path}: not a run report (needs duration_seconds, engine and engines {name: {objects, bytes}}; write one with sync --report FILE)`,
    );
  }
  const routes = typeof r.routes === 'object' && r.routes !== null ? (r.routes as Record<string, Record<string, number>>) : undefined;
  return ratesFromReport({
    duration_seconds: r.duration_seconds,
    engine: r.engine,
    engines: engines as Record<string, { objects: number; bytes: number }>,
    routes,
  });
}

export interface FittedRates {
  /** What the estimate uses, laid over the planning defaults. */
  applied: Partial<Record<EngineName, EngineRate>>;
  notes: string[];
}

/** Four significant digits: a measurement is not more precise than that. */
export function significant(x: number): number {
  return Number(x.toPrecision(4));
}

/**
 * Measured rates made fit for a workload. A run that copied small objects was held back by its
 * object rate; the MB/s it shows is that rate times its small average size, not a bandwidth limit.
 * So a measured MB/s is kept only for workloads whose average object is at most twice the measured
 * run's; beyond that the planning default bounds bytes, and a note says why. Rates keep four
 * significant digits (a measurement is not more precise than that).
 */
export function fitRates(measured: Partial<Record<EngineName, EngineRate>>, workloadAvgBytes: number): FittedRates {
  const applied: Partial<Record<EngineName, EngineRate>> = {};
  const notes: string[] = [];
  for (const [engine, r] of Object.entries(measured) as Array<[EngineName, EngineRate]>) {
    const out: EngineRate = {};
    if (r.objectsPerSecond !== undefined) out.objectsPerSecond = significant(r.objectsPerSecond);
    if (r.mbPerSecond !== undefined) {
      const measuredAvg = r.objectsPerSecond ? (r.mbPerSecond * MIB) / r.objectsPerSecond : undefined;
      if (measuredAvg !== undefined && workloadAvgBytes > 2 * measuredAvg) {
        notes.push(
          `${engine}: the measured run's objects averaged ${formatBytes(Math.round(measuredAvg))}, ` +
            `this workload's ${formatBytes(Math.round(workloadAvgBytes))}: ` +
            `its ${significant(r.mbPerSecond)} MB/s was set by the object rate, not bandwidth, ` +
            `so the planning ${DEFAULT_ENGINE_RATES[engine].mbPerSecond ?? 0} MB/s bounds bytes`,
        );
      } else {
        out.mbPerSecond = significant(r.mbPerSecond);
      }
    }
    applied[engine] = out;
  }
  return { applied, notes };
}
