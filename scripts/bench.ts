/**
 * `npm run bench`: a generated archive (default 10,000 small objects + 8 of 64 MiB) on a local
 * versitygw; a full sync and a no-op re-sync with each tool, tools alternating, several runs;
 * medians, ratios to raw s5cmd, and peak memory (RSS) of each tool.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { startLocalS3, type LocalS3 } from './local-s3.js';
import { toolPath } from './tools.js';
import { generateArchive, uploadArchive, type ArchiveObject } from '../test/fixtures/binance-archive.js';

const argNum = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const argStr = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? String(process.argv[i + 1]) : def;
};

const SMALL = argNum('small', 10_000);
const LARGE = argNum('large', 8);
const LARGE_MB = argNum('large-mb', 64);
const RUNS = argNum('runs', 3);
const TOOLS = argStr('tools', 'job-auto,job-s5cmd,job-sdk,job-noverify,s5cmd,rclone,aws').split(',');

interface Measure {
  seconds: number;
  peakRssMb: number;
  code: number;
}

/** Runs a command, sampling its process tree's RSS every 50 ms (Linux /proc). */
function measure(cmd: string, args: string[], env: Record<string, string>): Promise<Measure> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + String(d)).slice(-4000)));
    let peak = 0;
    const timer = setInterval(() => {
      peak = Math.max(peak, treeRss(child.pid!));
    }, 50);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      if (code !== 0) process.stderr.write(`\n${cmd} exited ${code}: ${stderr}\n`);
      resolve({ seconds: (performance.now() - started) / 1000, peakRssMb: peak / 1024, code: code ?? 1 });
    });
  });
}

function treeRss(pid: number): number {
  let kb = 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    for (const c of children) kb += treeRss(Number(c));
  } catch {
    // the process ended between samples
  }
  return kb;
}

type Runner = (s3: LocalS3, destPrefix: string) => { cmd: string; args: string[]; env: Record<string, string> };

const job =
  (engine?: string, extra: string[] = []): Runner =>
  (s3, dest) => ({
    cmd: process.execPath,
    args: [
      join(import.meta.dirname, '..', 'dist', 'cli', 'main.js'),
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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function main(): Promise<void> {
  for (const t of TOOLS) if (!RUNNERS[t]) throw new Error(`unknown tool '${t}' (known: ${Object.keys(RUNNERS).join(', ')})`);
  const s3 = await startLocalS3({ buckets: ['bench-source', 'bench-dest'] });
  try {
    const small = generateArchive({
      seed: 11,
      markets: ['spot', 'futures/um'],
      symbols: ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT', 'XRPUSDT'],
      dataTypes: ['klines', 'aggTrades'],
      intervals: ['1m', '1h', '1d'],
      frequencies: ['daily'],
      days: Math.ceil(SMALL / (2 * 5 * 2 * 4)) + 1,
      rowsPerFile: 200,
    });
    const objects: ArchiveObject[] = [];
    for (const o of small) {
      if (objects.length >= SMALL) break;
      objects.push(o);
    }
    const large =
      LARGE > 0
        ? [
            ...generateArchive({
              seed: 12,
              symbols: ['BTCUSDT'],
              dataTypes: ['klines'],
              days: 1,
              frequencies: ['daily'],
              rowsPerFile: 1,
              prefix: 'data/large/',
              anomalies: { large: { count: LARGE, sizeBytes: LARGE_MB * 1024 * 1024 } },
            }),
          ].filter((o) => o.anomaly === 'large')
        : [];
    const client = s3.client();
    const up = await uploadArchive(client, 'bench-source', [...objects, ...large], { concurrency: 16 });
    client.destroy();
    const totalMb = up.bytes / 1024 / 1024;
    console.log(`bench: ${up.objects} objects, ${totalMb.toFixed(1)} MiB on versitygw ${s3.endpoint}; ${RUNS} runs per tool, tools alternating`);
    console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}`);

    const results: Record<string, { full: Measure[]; noop: Measure[] }> = {};
    for (let run = 0; run < RUNS; run++) {
      for (const tool of TOOLS) {
        const dest = `${tool}-${run}`;
        const r = RUNNERS[tool]!(s3, dest);
        const full = await measure(r.cmd, r.args, r.env);
        const noop = await measure(r.cmd, r.args, r.env);
        (results[tool] ??= { full: [], noop: [] }).full.push(full);
        results[tool].noop.push(noop);
        process.stdout.write(
          `  run ${run + 1} ${tool.padEnd(10)} full ${full.seconds.toFixed(2)} s  no-op ${noop.seconds.toFixed(2)} s  ` +
            `peak ${Math.max(full.peakRssMb, noop.peakRssMb).toFixed(0)} MB${full.code || noop.code ? '  FAILED' : ''}\n`,
        );
        rmSync(join(s3.dir, 'data', 'bench-dest', dest), { recursive: true, force: true });
      }
    }
    const base = results.s5cmd;
    const baseFull = base ? median(base.full.map((m) => m.seconds)) : undefined;
    const baseNoop = base ? median(base.noop.map((m) => m.seconds)) : undefined;
    console.log(
      `\n${'tool'.padEnd(10)} ${'full s'.padStart(8)} ${'MB/s'.padStart(7)} ${'obj/s'.padStart(7)} ` +
        `${'x s5cmd'.padStart(8)} ${'no-op s'.padStart(8)} ${'x s5cmd'.padStart(8)} ${'peak MB'.padStart(8)}`,
    );
    for (const tool of TOOLS) {
      const r = results[tool]!;
      const full = median(r.full.map((m) => m.seconds));
      const noop = median(r.noop.map((m) => m.seconds));
      const peak = Math.max(...r.full.map((m) => m.peakRssMb), ...r.noop.map((m) => m.peakRssMb));
      const ratio = (a: number, b?: number) => (b ? (a / b).toFixed(2) : '-');
      console.log(
        `${tool.padEnd(10)} ${full.toFixed(2).padStart(8)} ${(totalMb / full).toFixed(1).padStart(7)} ` +
          `${(up.objects / full).toFixed(0).padStart(7)} ${ratio(full, baseFull).padStart(8)} ` +
          `${noop.toFixed(2).padStart(8)} ${ratio(noop, baseNoop).padStart(8)} ${peak.toFixed(0).padStart(8)}`,
      );
    }
    console.log('\n"x s5cmd" is time relative to raw `s5cmd sync` (lower is faster). The job verifies every zip against its .CHECKSUM; the others do not.');
  } finally {
    await s3.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
