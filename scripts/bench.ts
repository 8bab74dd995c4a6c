/**
 * `npm run bench`: W1 (full and no-op sync, the job against s5cmd, rclone and `aws s3 sync`),
 * planning at archive scale on the listing simulator (the job's `plan` against
 * `s5cmd --dry-run sync`), the archive-scale table (`estimate` with the measured rates), and a
 * daily window against a full run (the simulator's full layout, its tally of list requests).
 * Prints Markdown tables ready for the README and writes them to --out FILE.
 *
 * Options: --sections w1,planning,archive,daily  --quick (W1 1,000 + 2×16 MiB, planning 100k keys, daily 200x365, 1 run)
 *   W1: --small N (at least N small objects: whole days of the realistic archive) --large N --large-mb N --runs N --tools a,b
 *   planning: --plan-keys 1000000,10000000 --page-latency 0,50 --plan-runs N (default: --runs up to
 *   1M keys, 1 above) --plan-timeout SECONDS (default 1800)
 *   archive: --archive-objects N (default 1e8) --archive-avg-bytes SIZE (default 210KiB) --tasks 1,4,16
 *   daily: --daily-sizes SYMBOLSxDAYS,... (default 2000x365,250x3000) --daily-select "FLAGS" (default
 *   "--market spot --data-type aggTrades") --daily-missing FRACTION (default 0.001) --daily-runs N (default 1)
 *   --daily-windows 0,1,3 (0 a full run, N the last N days) --daily-cli PATH (another build's dist/cli/main.js, to compare)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runArchiveTable } from './bench/archive-table.js';
import { runDaily } from './bench/daily.js';
import { runPlanning } from './bench/planning.js';
import { machineLine } from './bench/report.js';
import { runW1 } from './bench/w1.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const argStr = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? String(args[i + 1]) : def;
};
const argNum = (name: string, def: number) => Number(argStr(name, String(def)));
const list = (name: string, def: string) => argStr(name, def).split(',').filter(Boolean);

const QUICK = flag('quick');
const SECTIONS = list('sections', 'w1,planning,archive,daily');
const RUNS = argNum('runs', QUICK ? 1 : 3);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 's3ds-bench-'));
  const parts: string[] = [];
  const machine = `Machine: ${machineLine(['s5cmd', 'rclone', 'aws'])}.${QUICK ? ' Quick mode (--quick): small sizes, 1 run.' : ''}`;
  console.log(machine);
  parts.push(machine);
  const reportFile = join(dir, 'job-auto-w1.json');
  let planningRate: number | undefined;
  try {
    if (SECTIONS.includes('w1')) {
      const w1 = await runW1({
        small: argNum('small', QUICK ? 1_000 : 10_000),
        large: argNum('large', QUICK ? 2 : 8),
        largeMb: argNum('large-mb', QUICK ? 16 : 64),
        runs: RUNS,
        tools: list('tools', 'job-auto,job-s5cmd,job-sdk,job-noverify,s5cmd,rclone,aws'),
        reportFile,
      });
      parts.push(w1);
      console.log(`\n${w1}\n`);
    }
    if (SECTIONS.includes('planning')) {
      const keys = list('plan-keys', QUICK ? '100000' : '1000000,10000000').map(Number);
      const planRuns = args.includes('--plan-runs') ? argNum('plan-runs', 1) : undefined;
      const planning = await runPlanning({
        keys,
        latenciesMs: list('page-latency', '0,50').map(Number),
        runsFor: (n) => planRuns ?? (n <= 1_000_000 ? RUNS : 1),
        timeoutSeconds: argNum('plan-timeout', 1800),
      });
      planningRate = planning.jobKeysPerSecond;
      parts.push(planning.markdown);
      console.log(`\n${planning.markdown}\n`);
    }
    if (SECTIONS.includes('archive')) {
      const table = await runArchiveTable({
        reportFile: SECTIONS.includes('w1') ? reportFile : argStr('rates-report', ''),
        planningKeysPerSecond: planningRate,
        objects: argNum('archive-objects', 1e8),
        avgObjectBytes: argStr('archive-avg-bytes', '210KiB'),
        tasks: list('tasks', '1,4,16').map(Number),
      });
      parts.push(table);
      console.log(`\n${table}\n`);
    }
    if (SECTIONS.includes('daily')) {
      const daily = await runDaily({
        sizes: list('daily-sizes', QUICK ? '200x365' : '2000x365,250x3000').map((sz) => {
          const [symbols, days] = sz.split('x').map(Number);
          return { symbols: symbols!, days: days! };
        }),
        selection: argStr('daily-select', '--market spot --data-type aggTrades').split(/\s+/).filter(Boolean),
        missing: argNum('daily-missing', 0.001),
        runs: argNum('daily-runs', 1),
        windows: list('daily-windows', '0,1,3').map(Number),
        cli: argStr('daily-cli', '') || undefined,
        timeoutSeconds: argNum('plan-timeout', 1800),
      });
      parts.push(daily);
      console.log(`\n${daily}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const out = argStr('out', '');
  if (out) {
    writeFileSync(out, parts.join('\n\n') + '\n');
    console.log(`bench: tables written to ${out}`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
