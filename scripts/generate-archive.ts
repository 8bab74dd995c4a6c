/**
 * Generates a Binance-shaped archive (test/fixtures/binance-archive.ts) into an S3 bucket.
 *
 *   npx tsx scripts/generate-archive.ts --endpoint-url http://127.0.0.1:PORT --bucket B
 *     [--prefix data/] [--seed 1] [--symbols BTCUSDT,ETHUSDT] [--days 30] [--start-date 2024-01-01]
 *     [--markets spot,futures/um] [--data-types klines,aggTrades] [--intervals 1m,1h]
 *     [--frequencies daily,monthly] [--rows 50] [--mismatch N] [--missing-checksum N] [--non-padded]
 *     [--checksum-without-newline N] [--outside-prefix] [--large-count N --large-mb M] [--realistic]
 *     [--concurrency 8] [--dry-run]
 *
 * --realistic starts from the realistic preset (all four markets, every data type and interval,
 * COIN-M contracts, a non-ASCII symbol, the real archive's odd cases); the other flags override it.
 *
 * Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, the region from AWS_REGION
 * (default us-east-1). --dry-run prints the keys, uploads nothing and needs no endpoint or bucket.
 * The last line printed is a one-line JSON summary.
 */
import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { archiveKeys, estimateCount, generateArchive, uploadArchive, type ArchiveOptions, realisticArchive } from '../test/fixtures/binance-archive.js';
import { MARKETS, type Frequency, type Market } from '../src/config/binance-layout.js';

const USAGE = `usage: npx tsx scripts/generate-archive.ts --endpoint-url URL --bucket B [--prefix data/] [--seed 1]
  [--symbols A,B] [--days N] [--start-date YYYY-MM-DD] [--markets spot,futures/um,futures/cm,option]
  [--data-types klines,aggTrades] [--intervals 1m,1h] [--frequencies daily,monthly] [--rows N]
  [--mismatch N] [--missing-checksum N] [--non-padded] [--checksum-without-newline N] [--outside-prefix]
  [--large-count N --large-mb M] [--realistic] [--concurrency N] [--dry-run]`;

function list(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const items = v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new Error(`empty list '${v}'`);
  return items;
}

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new Error(`--${name} must be an integer, got '${v}'`);
  return Number(v);
}

function positiveNumber(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got '${v}'`);
  return n;
}

function parseCli(argv: string[]): { archive: ArchiveOptions; endpoint?: string; bucket?: string; concurrency: number; dryRun: boolean } {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      'endpoint-url': { type: 'string' },
      bucket: { type: 'string' },
      prefix: { type: 'string' },
      seed: { type: 'string' },
      symbols: { type: 'string' },
      days: { type: 'string' },
      'start-date': { type: 'string' },
      markets: { type: 'string' },
      'data-types': { type: 'string' },
      intervals: { type: 'string' },
      frequencies: { type: 'string' },
      rows: { type: 'string' },
      mismatch: { type: 'string' },
      'missing-checksum': { type: 'string' },
      'non-padded': { type: 'boolean' },
      'checksum-without-newline': { type: 'string' },
      'outside-prefix': { type: 'boolean' },
      realistic: { type: 'boolean' },
      'large-count': { type: 'string' },
      'large-mb': { type: 'string' },
      concurrency: { type: 'string' },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const markets = list(values.markets);
  for (const m of markets ?? []) if (!(MARKETS as readonly string[]).includes(m)) throw new Error(`unknown market '${m}'`);
  const frequencies = list(values.frequencies);
  for (const f of frequencies ?? []) if (f !== 'daily' && f !== 'monthly') throw new Error(`unknown frequency '${f}'`);

  const largeCount = int('large-count', values['large-count']) ?? 0;
  const largeMb = positiveNumber('large-mb', values['large-mb']);
  if (largeCount > 0 && largeMb === undefined) throw new Error('--large-count needs --large-mb');

  const seed = int('seed', values.seed) ?? 1;
  const archive: ArchiveOptions = values.realistic ? realisticArchive({ seed }) : { seed };
  const anomalies = { ...archive.anomalies };
  const mismatch = int('mismatch', values.mismatch);
  if (mismatch !== undefined) anomalies.checksumMismatch = mismatch;
  const missing = int('missing-checksum', values['missing-checksum']);
  if (missing !== undefined) anomalies.missingChecksum = missing;
  const withoutNewline = int('checksum-without-newline', values['checksum-without-newline']);
  if (withoutNewline !== undefined) anomalies.checksumWithoutNewline = withoutNewline;
  if (values['non-padded']) anomalies.nonPaddedDate = true;
  if (values['outside-prefix']) anomalies.outsidePrefix = true;
  if (largeCount > 0) anomalies.large = { count: largeCount, sizeBytes: Math.round(largeMb! * 1024 * 1024) };
  archive.anomalies = anomalies;
  if (markets) archive.markets = markets as Market[];
  if (frequencies) archive.frequencies = frequencies as Frequency[];
  const symbols = list(values.symbols);
  if (symbols) archive.symbols = symbols;
  const dataTypes = list(values['data-types']);
  if (dataTypes) archive.dataTypes = dataTypes;
  const intervals = list(values.intervals);
  if (intervals) archive.intervals = intervals;
  const days = int('days', values.days);
  if (days !== undefined) archive.days = days;
  if (values['start-date'] !== undefined) archive.startDate = values['start-date'];
  const rows = int('rows', values.rows);
  if (rows !== undefined) archive.rowsPerFile = rows;
  if (values.prefix !== undefined) archive.prefix = values.prefix;

  const dryRun = values['dry-run'] ?? false;
  const endpoint = values['endpoint-url'];
  const bucket = values.bucket;
  if (!dryRun && (endpoint === undefined || bucket === undefined)) throw new Error('--endpoint-url and --bucket are required');
  const concurrency = int('concurrency', values.concurrency) ?? 8;
  if (concurrency < 1) throw new Error('--concurrency must be at least 1');
  const out: ReturnType<typeof parseCli> = { archive, concurrency, dryRun };
  if (endpoint !== undefined) out.endpoint = endpoint;
  if (bucket !== undefined) out.bucket = bucket;
  return out;
}

class UsageError extends Error {}

async function main(): Promise<void> {
  let cli: ReturnType<typeof parseCli>;
  try {
    cli = parseCli(process.argv.slice(2));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const expected = estimateCount(cli.archive);
  const started = Date.now();

  if (cli.dryRun) {
    let n = 0;
    for (const k of archiveKeys(cli.archive)) {
      process.stdout.write(`${k.key}\n`);
      n++;
    }
    console.log(JSON.stringify({ dryRun: true, objects: n, expected }));
    return;
  }

  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new Error('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set');
  const client = new S3Client({
    endpoint: cli.endpoint!,
    forcePathStyle: true,
    region: process.env.AWS_REGION || 'us-east-1',
    credentials: { accessKeyId, secretAccessKey },
  });
  try {
    let lastReport = Date.now();
    const result = await uploadArchive(client, cli.bucket!, generateArchive(cli.archive), {
      concurrency: cli.concurrency,
      onProgress(n) {
        const now = Date.now();
        if (now - lastReport >= 5000) {
          lastReport = now;
          process.stderr.write(`generate-archive: ${n}/${expected} objects\n`);
        }
      },
    });
    console.log(
      JSON.stringify({
        bucket: cli.bucket,
        prefix: cli.archive.prefix ?? 'data/',
        seed: cli.archive.seed,
        objects: result.objects,
        bytes: result.bytes,
        seconds: Math.round((Date.now() - started) / 100) / 10,
      }),
    );
  } finally {
    client.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(`generate-archive: ${err instanceof Error ? err.message : String(err)}`);
  if (err instanceof UsageError) console.error(USAGE);
  process.exit(1);
});
