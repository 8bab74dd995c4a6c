/**
 * W1: a generated archive (the realistic preset with enough days for 10,000 small objects by
 * default, + 8 of 64 MiB) on a local versitygw; a full
 * sync and a no-op re-sync with each tool, tools alternating, several runs; medians, ratios to raw
 * s5cmd, and peak memory (RSS) of each tool. The job's first full sync writes its report (the
 * measured rates `estimate --from-report` reads).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalS3, type LocalS3 } from '../local-s3.js';
import { toolPath } from '../tools.js';
import {
  estimateCount,
  generateArchive,
  realisticArchive,
  uploadArchive,
  type ArchiveObject,
  type ArchiveOptions,
} from '../../test/fixtures/binance-archive.js';
import { measure, median, type Measure } from './measure.js';
import { fmtSeconds, mdTable } from './report.js';

export interface W1Options {
  small: number;
  large: number;
  largeMb: number;
  runs: number;
  tools: string[];
  /** Where the job's (auto) first full sync writes its JSON report. */
  reportFile: string;
}

type Runner = (s3: LocalS3, destPrefix: string) => { cmd: string; args: string[]; env: Record<string, string> };

const DIST_MAIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

const job =
  (engine?: string, extra: string[] = []): Runner =>
  (s3, dest) => ({
    cmd: process.execPath,
    args: [
      DIST_MAIN,
      'sync',
      '--source',
      's3://bench-source/data/',
      '--destination',
      `s3://bench-dest/${dest}/`,
      '--endpoint-url',
      s3.endpoint,
      '--max-concurrent',
      '64',
      '--batch-size',
      '500',
      '--log-format',
      'json',
      '--no-progress',
      ...(engine ? ['--engine', engine] : []),
      ...extra,
    ],
    env: s3.env(),
  });

const RUNNERS: Record<string, Runner> = {
  'job-auto': job(),
  'job-s5cmd': job('s5cmd'),
  'job-sdk': job('sdk'),
  // Like the other tools: no .CHECKSUM verification (auto then picks s5cmd).
  'job-noverify': job(undefined, ['--no-verify']),
  s5cmd: (s3, dest) => ({
    cmd: toolPath('s5cmd'),
    args: ['--endpoint-url', s3.endpoint, 'sync', 's3://bench-source/data/*', `s3://bench-dest/${dest}/`],
    env: s3.env(),
  }),
  rclone: (s3, dest) => ({
    cmd: toolPath('rclone'),
    args: ['sync', 'lake:bench-source/data', `lake:bench-dest/${dest}`, '--transfers', '64', '--checkers', '64', '--fast-list'],
    env: {
      ...s3.env(),
      RCLONE_CONFIG_LAKE_TYPE: 's3',
      RCLONE_CONFIG_LAKE_PROVIDER: 'Other',
      RCLONE_CONFIG_LAKE_ENDPOINT: s3.endpoint,
      RCLONE_CONFIG_LAKE_ACCESS_KEY_ID: s3.accessKeyId,
      RCLONE_CONFIG_LAKE_SECRET_ACCESS_KEY: s3.secretAccessKey,
      RCLONE_CONFIG_LAKE_REGION: s3.region,
    },
  }),
  aws: (s3, dest) => ({
    cmd: toolPath('aws'),
    args: ['s3', 'sync', 's3://bench-source/data/', `s3://bench-dest/${dest}/`, '--endpoint-url', s3.endpoint, '--only-show-errors'],
    env: { ...s3.env(), AWS_MAX_CONCURRENT_REQUESTS: '64' },
  }),
};

const LABELS: Record<string, string> = {
  'job-auto': 's3-direct-sync auto (every zip verified)',
  'job-s5cmd': 's3-direct-sync `--engine s5cmd` (verified)',
  'job-sdk': 's3-direct-sync `--engine sdk`',
  'job-noverify': 's3-direct-sync `--no-verify`',
  s5cmd: '`s5cmd sync`',
  rclone: '`rclone sync` (64 transfers)',
  aws: '`aws s3 sync`',
};

/**
 * The realistic preset (every market, data type and interval, a non-ASCII symbol, .CHECKSUM files
 * without newline, unpadded names without one) over the fewest days that give `small` objects or
 * more, whole days so that every market is in. No keys outside data/: every tool mirrors data/, so
 * the count is what each one copies.
 */
function smallOptions(small: number): ArchiveOptions {
  const at = (days: number): ArchiveOptions =>
    realisticArchive({ seed: 11, days, rowsPerFile: 200, anomalies: { nonPaddedDate: true, checksumWithoutNewline: 2 } });
  let days = 1;
  while (estimateCount(at(days)) < small) days++;
  return at(days);
}

function archive(opts: W1Options): ArchiveObject[] {
  const objects = [...generateArchive(smallOptions(opts.small))];
  if (opts.large <= 0) return objects;
  const large = generateArchive({
    seed: 12,
    symbols: ['BTCUSDT'],
    dataTypes: ['klines'],
    days: 1,
    frequencies: ['daily'],
    rowsPerFile: 1,
    prefix: 'data/large/',
    anomalies: { large: { count: opts.large, sizeBytes: opts.largeMb * 1024 * 1024 } },
  });
  return [...objects, ...[...large].filter((o) => o.anomaly === 'large')];
}

/** Runs W1 and returns its Markdown (a heading line and the table). */
export async function runW1(opts: W1Options): Promise<string> {
  for (const t of opts.tools) if (!RUNNERS[t]) throw new Error(`unknown tool '${t}' (known: ${Object.keys(RUNNERS).join(', ')})`);
  const s3 = await startLocalS3({ buckets: ['bench-source', 'bench-dest'] });
  try {
    const client = s3.client();
    const up = await uploadArchive(client, 'bench-source', archive(opts), { concurrency: 16 });
    client.destroy();
    const totalMb = up.bytes / 1024 / 1024;
    console.log(`W1: ${up.objects} objects, ${totalMb.toFixed(1)} MiB on versitygw ${s3.endpoint}; ${opts.runs} runs per tool, tools alternating`);
    const results: Record<string, { full: Measure[]; noop: Measure[] }> = {};
    for (let run = 0; run < opts.runs; run++) {
      for (const tool of opts.tools) {
        const dest = `${tool}-${run}`;
        const r = RUNNERS[tool]!(s3, dest);
        const reportArgs = tool === 'job-auto' && run === 0 ? ['--report', opts.reportFile] : [];
        const full = await measure(r.cmd, [...r.args, ...reportArgs], r.env);
        const noop = await measure(r.cmd, r.args, r.env);
        (results[tool] ??= { full: [], noop: [] }).full.push(full);
        results[tool].noop.push(noop);
        console.log(
          `  run ${run + 1} ${tool.padEnd(12)} full ${full.seconds.toFixed(2)} s  no-op ${noop.seconds.toFixed(2)} s  ` +
            `peak ${Math.max(full.peakRssMb, noop.peakRssMb).toFixed(0)} MB${full.code || noop.code ? '  FAILED' : ''}`,
        );
        rmSync(join(s3.dir, 'data', 'bench-dest', dest), { recursive: true, force: true });
      }
    }
    const base = results.s5cmd;
    const baseFull = base ? median(base.full.map((m) => m.seconds)) : undefined;
    const baseNoop = base ? median(base.noop.map((m) => m.seconds)) : undefined;
    const ratio = (a: number, b?: number) => (b ? (a / b).toFixed(2) : '-');
    const rows = opts.tools.map((tool) => {
      const r = results[tool]!;
      const full = median(r.full.map((m) => m.seconds));
      const noop = median(r.noop.map((m) => m.seconds));
      const peak = Math.max(...r.full.map((m) => m.peakRssMb), ...r.noop.map((m) => m.peakRssMb));
      const failed = [...r.full, ...r.noop].some((m) => m.code !== 0) ? ' (a run FAILED)' : '';
      return [LABELS[tool]! + failed, fmtSeconds(full), ratio(full, baseFull), fmtSeconds(noop), ratio(noop, baseNoop), `${peak.toFixed(0)} MB`];
    });
    const head =
      `W1: ${up.objects.toLocaleString('en-US')} objects / ${totalMb.toFixed(0)} MiB on versitygw (same machine), ` +
      `${opts.runs} run${opts.runs > 1 ? 's' : ''}, tools alternating, medians; ×s5cmd is time relative to raw \`s5cmd sync\` (lower is faster).`;
    return `${head}\n\n${mdTable(['tool', 'full sync', '×s5cmd', 'no-op re-sync', '×s5cmd', 'peak RSS'], rows)}`;
  } finally {
    await s3.stop();
  }
}
