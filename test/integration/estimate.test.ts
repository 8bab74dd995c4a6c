/**
 * `estimate` as a user runs it: counting a generated archive on a real local S3 (versitygw) exactly,
 * with the selection applied, and numbers that agree with each other; from flags without any server;
 * measured rates from a real run report; pricing files; a source that cannot be listed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EstimateDocument } from '../../src/cost/estimate-document.js';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { generateArchive, uploadArchive, type ArchiveOptions } from '../fixtures/binance-archive.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { freePort } from '../helpers/moto.js';

const ARCHIVE: ArchiveOptions = {
  seed: 21,
  markets: ['spot', 'futures/um'],
  symbols: ['BTCUSDT', 'ETHUSDT'],
  dataTypes: ['klines', 'trades'],
  days: 3,
  rowsPerFile: 20,
  anomalies: { missingChecksum: 2 },
};

interface Expected {
  objects: number;
  bytes: number;
  zips: number;
  checksums: number;
  largest: number;
}

/** What the archive holds under the keys `keep` selects, computed from the generator itself. */
function expected(keep: (key: string) => boolean = () => true): Expected {
  const e: Expected = { objects: 0, bytes: 0, zips: 0, checksums: 0, largest: 0 };
  for (const o of generateArchive(ARCHIVE)) {
    if (!keep(o.key)) continue;
    e.objects++;
    e.bytes += o.body.length;
    e.largest = Math.max(e.largest, o.body.length);
    if (o.kind === 'zip') e.zips++;
    else e.checksums++;
  }
  return e;
}

function doc(r: CliRun): EstimateDocument {
  try {
    return JSON.parse(r.stdout) as EstimateDocument;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** The relations every engine estimate must keep with the workload it was given. */
function expectConsistent(d: EstimateDocument): void {
  const { objects, bytes } = d.workload;
  const e = d.estimate;
  expect(e.input.objects).toBe(objects);
  expect(e.input.bytes).toBe(bytes);
  expect(e.input.avg_object_bytes).toBeCloseTo(bytes / objects, 6);
  for (const x of e.engines) {
    // Small objects: one COPY (server-side engines) or one PUT (stream) per object.
    if (x.engine === 'stream') {
      expect(x.requests.put, x.engine).toBe(objects);
      expect(x.requests.copy, x.engine).toBe(0);
    } else {
      expect(x.requests.copy, x.engine).toBe(objects);
      expect(x.requests.put, x.engine).toBe(0);
    }
    // Verification reads a .CHECKSUM per zip (half the objects); stream also GETs every object.
    expect(x.requests.get_source, x.engine).toBe((x.engine === 'stream' ? objects : 0) + Math.floor(objects / 2));
    expect(x.requests.list_source, x.engine).toBe(Math.max(x.workers, Math.ceil(objects / 1000)));
    // The total is what the items billed to us add up to, and the categories split it.
    const ours = x.cost.items.filter((i) => i.billed_to === 'us');
    expect(x.cost.total_usd, x.engine).toBeCloseTo(
      ours.reduce((s, i) => s + i.usd, 0),
      12,
    );
    const byCategory = Object.values(x.cost.by_category).reduce((s, v) => s + v, 0);
    expect(byCategory, x.engine).toBeCloseTo(x.cost.total_usd, 12);
    const copyItem = x.cost.items.find((i) => i.item.startsWith(x.engine === 'stream' ? 'PUT into' : 'COPY into'))!;
    expect(copyItem.quantity, x.engine).toBe(objects);
    expect(copyItem.usd, x.engine).toBeCloseTo((objects / 1000) * copyItem.unit_price_usd, 12);
  }
  expect(e.engines.map((x) => x.engine)).toContain(e.recommended_engine);
}

describe('estimate', () => {
  let s3: LocalS3;
  let dir: string;
  let uploaded: { objects: number; bytes: number };
  const base = () => ['estimate', '--source', 's3://src-bucket/data/', '--destination', 's3://dst-bucket/mirror/', '--endpoint-url', s3.endpoint];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3ds-estimate-'));
    s3 = await startLocalS3({ buckets: ['src-bucket', 'dst-bucket'] });
    const client = s3.client();
    uploaded = await uploadArchive(client, 'src-bucket', generateArchive(ARCHIVE));
    client.destroy();
  });
  afterAll(async () => {
    await s3?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists the whole source: objects and bytes exactly as uploaded, numbers consistent', async () => {
    const r = await runCli([...base(), '--json'], s3.env());
    expect(r.code, r.stderr).toBe(0);
    const d = doc(r);
    const want = expected();
    expect(want.objects).toBe(uploaded.objects);
    expect(want.bytes).toBe(uploaded.bytes);
    expect(d.workload).toMatchObject({
      from: 'listing',
      source: 's3://src-bucket/data/',
      prefixes: 1,
      objects: uploaded.objects,
      bytes: uploaded.bytes,
      zips: want.zips,
      checksums: want.checksums,
      largest_bytes: want.largest,
    });
    // Two zips have no .CHECKSUM: the counts tell them apart.
    expect(want.zips - want.checksums).toBe(2);
    expect(d.estimate.engines.map((x) => x.engine)).toEqual(['s5cmd', 'sdk', 'stream']);
    expectConsistent(d);
    expect(d.rates.measured).toEqual({});
    expect(d.cost_guard).toBeUndefined();
    expect(d.job_engine).toEqual({
      engine: 'sdk',
      reason: expect.stringMatching(/^server-side copy possible \(both sides on http:\/\/127\.0\.0\.1:\d+\); verifying \.CHECKSUM files/),
    });
  });

  it('applies the selection: several narrow prefixes plus the key filter (dates), counted exactly', async () => {
    const r = await runCli(
      [...base(), '--market', 'spot,futures/um', '--data-type', 'klines', '--symbol', 'ETHUSDT', '--date-from', '2024-01-02', '--json'],
      s3.env(),
    );
    expect(r.code, r.stderr).toBe(0);
    const d = doc(r);
    // The first day's daily files fall before --date-from; the month's file overlaps the range and stays.
    const want = expected((k) => /^data\/(spot|futures\/um)\/(daily|monthly)\/klines\/ETHUSDT\//.test(k) && !/-2024-01-01\.zip(\.CHECKSUM)?$/.test(k));
    expect(want.objects).toBeLessThan(expected((k) => /\/klines\/ETHUSDT\//.test(k)).objects);
    expect(want.objects).toBeGreaterThan(0);
    expect(want.objects).toBeLessThan(uploaded.objects);
    expect(d.workload).toMatchObject({ objects: want.objects, bytes: want.bytes, zips: want.zips, checksums: want.checksums });
    expect(d.workload.prefixes).toBe(4);
    expect(d.workload.selection).toMatch(/4 prefixes \[data\/futures\/um\/daily\/klines\/ETHUSDT\/, /);
    expectConsistent(d);
  });

  it('a date window alone lists the daily leaf folders from the window on, as the plan does, not the whole source', async () => {
    const r = await runCli([...base(), '--date-from', '2024-01-03', '--json'], s3.env());
    expect(r.code, r.stderr).toBe(0);
    const d = doc(r);
    const want = expected((k) => /\/monthly\//.test(k) || /-2024-01-03\.zip(\.CHECKSUM)?$/.test(k));
    expect(want.objects).toBeGreaterThan(0);
    expect(d.workload).toMatchObject({ objects: want.objects, bytes: want.bytes, zips: want.zips, checksums: want.checksums });
    // One unit per daily symbol (and interval) folder, bounded by the window; each monthly folder whole.
    const dailyLeaves = 2 * 2 * 2; // markets × symbols × (klines/1m, trades)
    const monthly = 2; // spot/monthly/, futures/um/monthly/
    expect(d.workload.prefixes).toBe(dailyLeaves + monthly);
    expectConsistent(d);
  });

  it('prints a readable estimate with the growth scenario asked for', async () => {
    const r = await runCli([...base(), '--growth-files', '2', '--growth-size', '1.5', '--growth-frequency', '1.2'], s3.env());
    expect(r.code, r.stderr).toBe(0);
    const n = uploaded.objects.toLocaleString('en-US');
    expect(r.stdout).toMatch(new RegExp(`^Workload: ${n} objects, [\\d.]+ KiB \\(listed under s3://src-bucket/data/ in 1 prefix, [\\d.]+ s: `));
    expect(r.stdout).toContain(`Estimate for ${n} objects`);
    expect(r.stdout).toMatch(new RegExp(`^\\s+requests: ${n} COPY, 0 PUT, ${Math.floor(uploaded.objects / 2).toLocaleString('en-US')} GET, \\d+ LIST`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`growth ×2 files, ×1\\.5 size, ×1\\.2 frequency: ${(uploaded.objects * 2).toLocaleString('en-US')} objects`));
    expect(r.stdout).toMatch(/^\s+recommended engine: (s5cmd|sdk|stream)$/m);
  });

  it("takes --objects and --bytes from flags without any server, and prices the public source as its owner's", async () => {
    // No endpoint, no credentials: the default source (data.binance.vision on AWS) is never contacted.
    const r = await runCli(
      [
        'estimate',
        '--destination',
        's3://dst-bucket/mirror/',
        '--objects',
        '1000000',
        '--bytes',
        '200GiB',
        '--growth-files',
        '2',
        '--max-cost-usd',
        '0.5',
        '--json',
      ],
      { AWS_REGION: 'ap-northeast-1', AWS_EC2_METADATA_DISABLED: 'true' },
    );
    expect(r.code, r.stderr).toBe(0);
    const d = doc(r);
    expect(d.workload).toEqual({
      from: 'flags',
      source: 's3://data.binance.vision/data/',
      selection: 's3://data.binance.vision/data/; 1 prefix [data/]',
      objects: 1_000_000,
      bytes: 200 * 1024 ** 3,
    });
    expectConsistent(d);
    const sdk = d.estimate.engines.find((x) => x.engine === 'sdk')!;
    // Same region, public bucket: listing the source is billed to its owner, the copies to us.
    expect(d.estimate.input).toMatchObject({ source_region: 'ap-northeast-1', dest_region: 'ap-northeast-1' });
    expect(sdk.cost.items.find((i) => i.item === 'LIST source')!.billed_to).toBe('source-owner');
    expect(sdk.cost.items.find((i) => i.item.startsWith('COPY into'))!.billed_to).toBe('us');
    const g = d.estimate.growth[0]!;
    expect(g.multipliers).toEqual({ fileCount: 2, fileSize: 1.5, frequency: 1.2 });
    expect(g.objects_per_run).toBe(2_000_000);
    expect(g.bytes_per_run).toBe(200 * 1024 ** 3 * 2 * 1.5);
    // Verifying, and a server-side copy is possible: sync would use the SDK engine, and the cost
    // guard judges that engine's cost against the limit; the exit code stays 0.
    expect(d.job_engine).toMatchObject({ engine: 'sdk' });
    expect(d.cost_guard).toMatchObject({ engine: 'sdk', usd: sdk.cost.total_usd, max_usd: 0.5, basis: 'engine', ok: false });
    expect(sdk.cost.total_usd).toBeGreaterThan(0.5);
    expect(d.cost_guard!.message).toMatch(/exceeds --max-cost-usd \$0\.50/);
  });

  it('--from-report: the measured rates of a real run replace the defaults', async () => {
    const report = join(dir, 'run.json');
    const sync = await runCli(
      [
        'sync',
        '--source',
        's3://src-bucket/data/',
        '--destination',
        's3://dst-bucket/run/',
        '--endpoint-url',
        s3.endpoint,
        '--report',
        report,
        '--log-level',
        'error',
      ],
      s3.env(),
    );
    expect(sync.code, sync.stderr).toBe(0);
    const rep = JSON.parse(readFileSync(report, 'utf8')) as {
      duration_seconds: number;
      engine: string;
      engines: Record<string, { objects: number; bytes: number }>;
    };
    // A verified run: the sdk engine copies the zips, s5cmd the rest; the run's rate is the engine's.
    expect(rep.engine).toBe('sdk');
    const r = await runCli([...base(), '--from-report', report, '--json'], s3.env());
    expect(r.code, r.stderr).toBe(0);
    const d = doc(r);
    const all = Object.values(rep.engines);
    const used = { objects: all.reduce((n, e) => n + e.objects, 0), bytes: all.reduce((n, e) => n + e.bytes, 0) };
    expect(d.rates.from).toBe(`report ${report}`);
    const measured = d.rates.measured[rep.engine as 'sdk']!;
    expect(measured.objectsPerSecond).toBeCloseTo(used.objects / rep.duration_seconds, 9);
    expect(measured.mbPerSecond).toBeCloseTo(used.bytes / 1024 ** 2 / rep.duration_seconds, 9);
    // Applied with four significant digits; the same archive, so the same average object: both rates apply.
    const applied = d.rates.applied[rep.engine as 'sdk']!;
    expect(applied.objectsPerSecond! / measured.objectsPerSecond!).toBeCloseTo(1, 3);
    expect(applied.mbPerSecond! / measured.mbPerSecond!).toBeCloseTo(1, 3);
    expect(d.rates.notes).toEqual([]);
    // That engine's duration now follows the applied rates.
    const x = d.estimate.engines.find((e) => e.engine === rep.engine)!;
    expect(x.rate).toEqual(applied);
    expect(x.single_task_hours * 3600).toBeCloseTo(
      Math.max(d.workload.objects / applied.objectsPerSecond!, d.workload.bytes / 1024 ** 2 / applied.mbPerSecond!),
      6,
    );

    // A workload of far larger objects: the small-object run's MB/s is no bandwidth limit, so it is not applied.
    const big = await runCli(
      ['estimate', '--destination', 's3://dst-bucket/x/', '--objects', '1000', '--avg-object-bytes', '64MiB', '--from-report', report, '--json'],
      {},
    );
    expect(big.code, big.stderr).toBe(0);
    const bd = doc(big);
    expect(bd.rates.applied[rep.engine as 'sdk']).toEqual({ objectsPerSecond: applied.objectsPerSecond });
    expect(bd.rates.notes).toHaveLength(1);
    expect(bd.rates.notes[0]).toMatch(
      new RegExp(`^${rep.engine}: the measured run's objects averaged [\\d.]+ (B|KiB), this workload's 64\\.0 MiB: .* so the planning 50 MB/s bounds bytes$`),
    );

    writeFileSync(join(dir, 'not-a-report.json'), JSON.stringify({ hello: 'world' }));
    const bad = await runCli([...base(), '--from-report', join(dir, 'not-a-report.json')], s3.env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a run report/);
  });

  it('--pricing-file prices the estimate; an invalid one is exit 2', async () => {
    const good = join(dir, 'pricing.json');
    writeFileSync(good, JSON.stringify({ as_of: '2030-01-01', regions: { 'us-east-1': { s3_requests: { put_copy_post_list_per_1000: 1 } } } }));
    const r = await runCli([...base(), '--objects', '5000', '--bytes', '5000000', '--pricing-file', good, '--json'], s3.env());
    expect(r.code, r.stderr).toBe(0);
    const d = doc(r);
    expect(d.estimate.pricing_as_of).toBe('2030-01-01');
    const copy = d.estimate.engines.find((x) => x.engine === 'sdk')!.cost.items.find((i) => i.item.startsWith('COPY into'))!;
    expect(copy.unit_price_usd).toBe(1);
    expect(copy.usd).toBeCloseTo(5, 12);

    const bad = join(dir, 'bad-pricing.json');
    writeFileSync(bad, JSON.stringify({ regions: { 'us-east-1': { s3_requests: { put_copy_post_list_per_1000: 'cheap' } } } }));
    const refused = await runCli([...base(), '--pricing-file', bad], s3.env());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/put_copy_post_list_per_1000: expected a price in USD/);
  });

  it('a source that cannot be listed is exit 4, naming the bucket; bad flags are exit 2', async () => {
    const missing = await runCli(
      ['estimate', '--source', 's3://missing-src/data/', '--destination', 's3://dst-bucket/x/', '--endpoint-url', s3.endpoint],
      s3.env(),
    );
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(new RegExp(`cannot list the source: source bucket 'missing-src' does not exist at ${s3.endpoint} \\(us-east-1\\)`));
    expect(missing.stdout).toBe('');

    const closed = await runCli(
      [
        'estimate',
        '--source',
        's3://src-bucket/data/',
        '--destination',
        's3://dst-bucket/x/',
        '--endpoint-url',
        `http://127.0.0.1:${await freePort()}`,
        '--retry-count',
        '0',
      ],
      s3.env(),
    );
    expect(closed.code).toBe(4);
    expect(closed.stderr).toMatch(/cannot list the source: cannot reach http:\/\/127\.0\.0\.1:\d+ .*ECONNREFUSED/);

    const half = await runCli([...base(), '--objects', '10'], s3.env());
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/give --objects with --bytes/);
  });
});
