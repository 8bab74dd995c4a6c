/**
 * Planning at archive scale: the listing simulator holds two buckets of the same N keys; the job's
 * `plan` and `s5cmd --dry-run sync` compare them (nothing to copy), alternating, for each N and
 * page latency. Keys/s counts both sides (2N / seconds); peak RSS is the process tree's.
 */
import { join } from 'node:path';
import { startListSim } from '../list-sim.js';
import { toolPath } from '../tools.js';
import { measure, median, type Measure } from './measure.js';
import { fmtSeconds, mdTable } from './report.js';

export interface PlanningOptions {
  keys: number[];
  latenciesMs: number[];
  /** Runs for N keys. */
  runsFor: (keys: number) => number;
  /** Stop a run after this many seconds (reported as "> limit"). */
  timeoutSeconds: number;
}

export interface PlanningResult {
  markdown: string;
  /** The job's median keys/s (both sides) at 0 ms page latency and the largest N, for the archive table. */
  jobKeysPerSecond: number | undefined;
}

const DIST_MAIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

type Side = 'job' | 's5cmd';

function command(side: Side, endpoint: string): { cmd: string; args: string[] } {
  if (side === 'job') {
    return {
      cmd: process.execPath,
      args: [DIST_MAIN, 'plan', '--source', 's3://source/data/', '--destination', 's3://dest/data/', '--endpoint-url', endpoint, '--json', '--no-progress'],
    };
  }
  return { cmd: toolPath('s5cmd'), args: ['--endpoint-url', endpoint, '--dry-run', 'sync', 's3://source/data/*', 's3://dest/data/'] };
}

function cell(ms: Measure[], keys: number): { time: string; rate: string; rss: string; rateValue: number | undefined } {
  const done = ms.filter((m) => !m.timedOut && m.code === 0);
  const peak = `${Math.max(...ms.map((m) => m.peakRssMb)).toFixed(0)} MB`;
  if (done.length < ms.length) {
    const why = ms.some((m) => m.timedOut) ? `> ${fmtSeconds(Math.max(...ms.map((m) => m.seconds)))} (stopped)` : 'FAILED';
    return { time: why, rate: '-', rss: peak, rateValue: undefined };
  }
  const s = median(done.map((m) => m.seconds));
  const rateValue = (2 * keys) / s;
  return { time: fmtSeconds(s), rate: `${Math.round(rateValue / 1000)}k`, rss: peak, rateValue };
}

export async function runPlanning(opts: PlanningOptions): Promise<PlanningResult> {
  const rows: string[][] = [];
  let jobKeysPerSecond: number | undefined;
  for (const keys of opts.keys) {
    for (const latency of opts.latenciesMs) {
      const sim = await startListSim({ keysPerBucket: keys, pageLatencyMs: latency, buckets: ['source', 'dest'] });
      const runs = opts.runsFor(keys);
      const results: Record<Side, Measure[]> = { job: [], s5cmd: [] };
      try {
        for (let run = 0; run < runs; run++) {
          for (const side of ['job', 's5cmd'] as const) {
            const c = command(side, sim.endpoint);
            const cpu = process.cpuUsage();
            const m = await measure(c.cmd, c.args, sim.env(), opts.timeoutSeconds * 1000);
            const simCpu = process.cpuUsage(cpu);
            results[side].push(m);
            const simSeconds = ((simCpu.user + simCpu.system) / 1e6).toFixed(1);
            const status = m.timedOut ? '  STOPPED' : m.code ? '  FAILED' : '';
            console.log(
              `  plan ${keys.toLocaleString('en-US')} keys, ${latency} ms/page, run ${run + 1} ${side.padEnd(6)} ` +
                `${m.seconds.toFixed(1)} s  peak ${m.peakRssMb.toFixed(0)} MB  (list-sim CPU ${simSeconds} s)${status}`,
            );
          }
        }
      } finally {
        await sim.stop();
      }
      if (sim.unknown.length) console.log(`  list-sim answered NotImplemented to: ${[...new Set(sim.unknown)].slice(0, 10).join(', ')}`);
      const job = cell(results.job, keys);
      const s5 = cell(results.s5cmd, keys);
      if (latency === 0 && job.rateValue !== undefined) jobKeysPerSecond = job.rateValue;
      rows.push([keys.toLocaleString('en-US'), `${latency} ms`, String(runs), job.time, job.rate, job.rss, s5.time, s5.rate, s5.rss]);
    }
  }
  const head =
    'Planning: the listing simulator (scripts/list-sim.ts) holds two buckets of the same N generated keys; `plan` and ' +
    '`s5cmd --dry-run sync` find nothing to copy. keys/s counts both sides (2N / time); medians of the runs shown; peak RSS of the process tree.';
  const table = mdTable(['keys a side', 'page latency', 'runs', 'plan', 'keys/s', 'peak RSS', 's5cmd --dry-run sync', 'keys/s', 'peak RSS'], rows);
  return { markdown: `${head}\n\n${table}`, jobKeysPerSecond };
}
