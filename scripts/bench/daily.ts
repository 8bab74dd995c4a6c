/**
 * A daily window against a full run: the listing simulator holds the real archive's layout (thousands
 * of symbols, about a year of days) in a source bucket and two destinations (one equal, one missing a
 * few keys); the job's `plan --json` runs the same selection whole and with a date window of the
 * last day(s), alternating, and the simulator's tally says what each run listed: list requests
 * without and with a delimiter, keys and common prefixes returned.
 */
import { join } from 'node:path';
import { startListSim, type ListingTally } from '../list-sim.js';
import { measure, median, type Measure } from './measure.js';
import { fmtSeconds, mdTable } from './report.js';

export interface DailySize {
  /** Generated symbols per market folder (the non-ASCII symbol comes on top in spot and USD-M). */
  symbols: number;
  /** Daily files per folder, ending on the simulator's last date. */
  days: number;
}

export interface DailyOptions {
  sizes: DailySize[];
  /** The plan's selection flags (they keep the full run to a size that finishes on the build machine). */
  selection: string[];
  /** Fraction of the keys the second destination lacks. */
  missing: number;
  runs: number;
  timeoutSeconds: number;
  /** The runs: 0 a full run, N a window of the last N days. */
  windows: number[];
  /** The job's CLI to run (another build, to compare); default this tree's dist/cli/main.js. */
  cli?: string;
}

const DIST_MAIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

interface Window {
  label: string;
  args: string[];
}

interface Run {
  m: Measure;
  tally: ListingTally;
  listed: number;
  planned: number;
}

/** The last `n` days of the simulator's daily dates as --date-from/--date-to. */
function lastDays(dates: readonly string[], n: number): Window {
  const to = dates.at(-1)!;
  const from = dates.at(-n)!;
  return { label: n === 1 ? `one day (${to})` : `${n} days (${from} to ${to})`, args: ['--date-from', from, '--date-to', to] };
}

function diff(after: ListingTally, before: ListingTally): ListingTally {
  return {
    pages: after.pages - before.pages,
    delimited: after.delimited - before.delimited,
    keys: after.keys - before.keys,
    prefixes: after.prefixes - before.prefixes,
  };
}

function counts(m: Measure): { listed: number; planned: number } {
  try {
    const r = JSON.parse(m.stdout) as { counts?: { listed?: number; planned?: number } };
    return { listed: r.counts?.listed ?? NaN, planned: r.counts?.planned ?? NaN };
  } catch {
    return { listed: NaN, planned: NaN };
  }
}

const n = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '-');

function row(size: string, dest: string, w: Window, runs: Run[]): string[] {
  const ok = runs.filter((r) => r.m.code === 0 && !r.m.timedOut);
  const peak = `${Math.max(...runs.map((r) => r.m.peakRssMb)).toFixed(0)} MB`;
  if (ok.length < runs.length) return [size, w.label, dest, 'FAILED', '-', '-', '-', '-', '-', peak];
  const med = (f: (r: Run) => number) => median(ok.map(f));
  const t = (r: Run) => r.tally;
  return [
    size,
    w.label,
    dest,
    n(med((r) => t(r).pages)),
    n(med((r) => t(r).delimited)),
    n(med((r) => t(r).keys)),
    n(med((r) => r.listed)),
    n(med((r) => r.planned)),
    fmtSeconds(med((r) => r.m.seconds)),
    peak,
  ];
}

const DESTS = ['equal', 'gap'];

/** One simulator of the given size: every window against every destination, alternating, `runs` times; the table's rows. */
async function runSize(size: DailySize, opts: DailyOptions): Promise<{ rows: string[][]; note: string }> {
  const sim = await startListSim({
    layout: 'full',
    symbolCount: size.symbols,
    days: size.days,
    nonAscii: true,
    buckets: ['source', 'equal', { name: 'gap', missing: opts.missing }],
  });
  const label = `${size.symbols.toLocaleString('en-US')} × ${size.days}`;
  const windows = opts.windows.map((w): Window => (w === 0 ? { label: 'full run', args: [] } : lastDays(sim.space.dailyDates, w)));
  const results = new Map<string, Run[]>();
  try {
    for (let run = 0; run < opts.runs; run++) {
      for (const dest of DESTS) {
        for (const w of windows) {
          const args = [opts.cli ?? DIST_MAIN, 'plan', '--source', 's3://source/data/', '--destination', `s3://${dest}/data/`, '--endpoint-url', sim.endpoint];
          args.push('--json', '--no-progress', ...opts.selection, ...w.args);
          const before = { ...sim.listing };
          const m = await measure(process.execPath, args, sim.env(), opts.timeoutSeconds * 1000, true);
          const r: Run = { m, tally: diff(sim.listing, before), ...counts(m) };
          const key = `${dest}\0${w.label}`;
          results.set(key, [...(results.get(key) ?? []), r]);
          console.log(
            `  daily ${label}: ${w.label.padEnd(30)} → ${dest.padEnd(5)} run ${run + 1}: ${r.tally.pages} pages + ${r.tally.delimited} delimited, ` +
              `${r.tally.keys} keys listed, ${r.planned} planned, ${m.seconds.toFixed(1)} s, peak ${m.peakRssMb.toFixed(0)} MB${m.code ? '  FAILED' : ''}`,
          );
        }
      }
    }
  } finally {
    await sim.stop();
  }
  if (sim.unknown.length) console.log(`  list-sim answered NotImplemented to: ${[...new Set(sim.unknown)].slice(0, 10).join(', ')}`);
  const rows = DESTS.flatMap((d) => windows.map((w) => row(label, d, w, results.get(`${d}\0${w.label}`)!)));
  const note = `${label}: ${sim.space.size.toLocaleString('en-US')} keys a bucket, days to ${sim.space.dailyDates.at(-1)}`;
  return { rows, note };
}

export async function runDaily(opts: DailyOptions): Promise<string> {
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const size of opts.sizes) {
    const r = await runSize(size, opts);
    rows.push(...r.rows);
    notes.push(r.note);
  }
  const head =
    "Daily window against a full run: the listing simulator holds the real archive's layout (`--layout full`, symbols a market × days, " +
    `plus a non-ASCII symbol; ${notes.join('; ')}); \`plan --json ${opts.selection.join(' ') || '(everything)'}\` against a destination that is equal ` +
    `and one lacking ${opts.missing * 100}% of the keys. List requests and keys listed are the simulator's tally over both sides; ` +
    `${opts.runs} run${opts.runs > 1 ? 's, medians' : ''}; peak RSS of the process tree.`;
  const table = mdTable(
    ['symbols × days', 'run', 'destination', 'list requests', 'with delimiter', 'keys listed (both sides)', 'listed (report)', 'planned', 'time', 'peak RSS'],
    rows,
  );
  return `${head}\n\n${table}`;
}
