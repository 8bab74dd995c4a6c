/**
 * The archive-scale table: a backfill (every object copied) from `estimate` with the rates W1
 * measured (the job's report), pinned to 1, 4 and 16 tasks; and a full reconciliation (a no-op
 * plan of both listings) from the planning rate measured on the simulator, priced with the
 * job's own price table (estimate has no listing-time model).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PRICING } from '../../src/cost/pricing.js';
import { mdTable } from './report.js';

export interface ArchiveTableOptions {
  /** A job report with measured rates (W1's verified full sync); '' when none. */
  reportFile: string;
  /** The job's planning rate, keys/s for both listings together (0 ms page latency). */
  planningKeysPerSecond: number | undefined;
  objects: number;
  avgObjectBytes: string;
  tasks: number[];
}

const DIST_MAIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
/** Tasks of 2 vCPU (the reconciliation's 4 GB: the smallest at 2 vCPU), the size of the machine the rates were measured on. */
const TASK = { vcpu: 2, memoryGb: 4 };

interface EngineEstimate {
  engine: string;
  workers: number;
  wall_clock_hours: number;
  task: { vcpu: number; memoryGb: number };
  cost: { total_usd: number; by_category: Record<string, number> };
}

const hours = (h: number) => (h >= 48 ? `${(h / 24).toFixed(1)} d` : h >= 1 ? `${h.toFixed(1)} h` : `${(h * 60).toFixed(0)} min`);
const usd = (x: number) => `$${x >= 100 ? x.toFixed(0) : x.toFixed(2)}`;

function backfill(opts: ArchiveTableOptions, tasks: number): EngineEstimate {
  const report = JSON.parse(readFileSync(opts.reportFile, 'utf8')) as { engine?: string };
  const args = [
    DIST_MAIN,
    'estimate',
    '--source',
    's3://data.binance.vision/data/',
    '--destination',
    's3://my-lake/binance/',
    '--from-report',
    opts.reportFile,
    '--objects',
    String(opts.objects),
    '--avg-object-bytes',
    opts.avgObjectBytes,
    '--workers',
    String(tasks),
    '--task-vcpu',
    String(TASK.vcpu),
    '--json',
    ...(report.engine ? ['--engine', report.engine] : []),
  ];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
  const doc = JSON.parse(out) as { estimate: { engines: EngineEstimate[]; recommended_engine: string } };
  return doc.estimate.engines.find((e) => e.engine === doc.estimate.recommended_engine)!;
}

function reconcileRow(opts: ArchiveTableOptions, tasks: number): string[] {
  const rate = opts.planningKeysPerSecond;
  if (!rate) return [`reconciliation (no-op plan)`, String(tasks), '-', 'no planning rate measured (run the planning section)', '-', '-'];
  const prices = DEFAULT_PRICING.regions['us-east-1']!;
  const h = (2 * opts.objects) / (rate * tasks) / 3600;
  const lists = (2 * opts.objects) / 1000;
  const requests = (lists / 1000) * prices.s3_requests.put_copy_post_list_per_1000;
  const compute = tasks * h * (TASK.vcpu * prices.fargate.vcpu_hour + TASK.memoryGb * prices.fargate.gb_hour);
  return [
    'reconciliation (no-op plan, both sides listed)',
    String(tasks),
    `${TASK.vcpu} vCPU / ${TASK.memoryGb} GB`,
    hours(h),
    `${usd(requests)} LIST + ${usd(compute)} compute`,
    usd(requests + compute),
  ];
}

export async function runArchiveTable(opts: ArchiveTableOptions): Promise<string> {
  const rows: string[][] = [];
  for (const t of opts.tasks) rows.push(reconcileRow(opts, t));
  const haveReport = opts.reportFile !== '' && existsSync(opts.reportFile);
  for (const t of opts.tasks) {
    if (!haveReport) {
      rows.push(['backfill', String(t), '-', 'no W1 report (run the w1 section, or pass --rates-report FILE)', '-', '-']);
      continue;
    }
    const e = backfill(opts, t);
    const c = e.cost.by_category;
    rows.push([
      `backfill (${e.engine} engine, every object copied)`,
      String(e.workers),
      `${e.task.vcpu} vCPU / ${e.task.memoryGb} GB`,
      hours(e.wall_clock_hours),
      `${usd(c.requests ?? 0)} requests + ${usd(c.compute ?? 0)} compute + ${usd(c.storage ?? 0)} first month's storage`,
      usd(e.cost.total_usd),
    ]);
  }
  const n = opts.objects.toExponential(0).replace('e+', 'e');
  const rate = opts.planningKeysPerSecond ? `${Math.round(opts.planningKeysPerSecond / 1000)}k keys/s` : 'none';
  const head =
    `Archive scale: ${n} objects a side. Reconciliation: both listings planned at the measured planning rate (${rate}, this machine, ` +
    `0 ms page latency) per task, shards split evenly, priced with the job's built-in us-east-1 prices. Backfill: \`estimate --from-report\` ` +
    `with the rates W1's verified full sync measured, ${opts.avgObjectBytes} average objects, \`--workers N --task-vcpu 2\` ` +
    `(memory as estimate sizes it); its dollars are what estimate prints per run, with the first month's storage.`;
  return `${head}\n\n${mdTable(['run', 'tasks', 'task', 'time', 'dollars', 'total'], rows)}`;
}
