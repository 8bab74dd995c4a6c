import { GetObjectCommand } from '@aws-sdk/client-s3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { validateEmfDocument } from '../../src/observe/emf.js';
import { generateArchive, uploadArchive, type ArchiveObject } from '../fixtures/binance-archive.js';
import { runCli } from '../helpers/cli.js';
import { contentHashes, listKeys } from '../helpers/s3.js';

describe('what a run tells its operators', () => {
  let s3: LocalS3;
  let dir: string;
  let archive: ArchiveObject[];
  const base = (dest: string) => [
    'sync',
    '--source',
    's3://obs-src/data/',
    '--destination',
    `s3://obs-dst/${dest}`,
    '--endpoint-url',
    s3.endpoint,
    '--log-format',
    'json',
  ];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3ds-observe-'));
    s3 = await startLocalS3({ buckets: ['obs-src', 'obs-dst'] });
    archive = [...generateArchive({ seed: 21, symbols: ['BTCUSDT', 'ETHUSDT'], dataTypes: ['klines', 'trades'], days: 3, rowsPerFile: 8 })];
    const client = s3.client();
    await uploadArchive(client, 'obs-src', archive);
    client.destroy();
  });
  afterAll(async () => {
    await s3?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes and uploads a manifest that matches what the destination now holds', async () => {
    const report = join(dir, 'r1.json');
    const r = await runCli([...base('m1/'), '--report', report, '--upload-manifest'], s3.env());
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(readFileSync(report, 'utf8')) as {
      run_id: string;
      manifest: { path: string; entries: number; uploaded_to: string };
      routes: Record<string, unknown>;
    };
    expect(rep.manifest.entries).toBe(archive.length);
    const lines = readFileSync(rep.manifest.path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string; size: number; sha256?: string; source_etag: string; engine: string; copied_at: string });
    const client = s3.client();
    const dst = await contentHashes(client, 'obs-dst', 'm1/');
    expect(new Set(lines.map((l) => l.key))).toEqual(new Set([...dst.keys()].filter((k) => !k.startsWith('_manifests/'))));
    for (const l of lines) {
      expect(l.size).toBe(archive.find((o) => o.key === `data/${l.key}`)!.body.length);
      if (l.sha256) expect(l.sha256).toBe(dst.get(l.key));
      // Verified: zips by CopyObject with SHA-256, everything else by s5cmd when it is found.
      expect(l.engine, l.key).toBe(l.key.endsWith('.zip') || !rep.routes.s5cmd ? 'sdk' : 's5cmd');
      expect(Number.isNaN(Date.parse(l.copied_at))).toBe(false);
    }
    expect(lines.filter((l) => l.key.endsWith('.zip')).every((l) => l.sha256)).toBe(true);
    expect(rep.manifest.uploaded_to).toBe(`s3://obs-dst/m1/_manifests/${rep.run_id}.jsonl`);
    const uploaded = await client.send(new GetObjectCommand({ Bucket: 'obs-dst', Key: `m1/_manifests/${rep.run_id}.jsonl` }));
    expect((await uploaded.Body!.transformToString()).trim().split('\n')).toHaveLength(archive.length);
    // The manifest is never synced: a second run copies and deletes nothing, even in sync mode.
    const again = await runCli([...base('m1/'), '--sync-mode', 'sync', '--json'], s3.env());
    expect(JSON.parse(again.stdout)).toMatchObject({ counts: { copied: 0, deleted: 0, planned_deletes: 0 } });
    expect(await listKeys(client, 'obs-dst', 'm1/_manifests/')).toHaveLength(1);
    client.destroy();
  });

  it('every report carries the estimated cost, the download-and-upload cost and KPIs', async () => {
    const r = await runCli([...base('m2/'), '--json'], s3.env());
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as {
      cost: { direct: { total_usd: number; items: Array<{ item: string; quantity: number }> }; traditional: { total_usd: number }; savings_usd: number };
      kpis: {
        success_rate_percent: number;
        error_rate_percent: number;
        bytes_not_through_job: number;
        latency_ms: { p50: number; p99: number; min: number; max: number };
      };
      bytes: { copied: number };
    };
    expect(rep.cost.direct.total_usd).toBeGreaterThan(0);
    expect(rep.cost.traditional.total_usd).toBeGreaterThan(rep.cost.direct.total_usd);
    expect(rep.kpis.success_rate_percent).toBe(100);
    expect(rep.kpis.error_rate_percent).toBe(0);
    expect(rep.kpis.bytes_not_through_job).toBe(rep.bytes.copied);
    expect(rep.kpis.latency_ms.p50).toBeGreaterThan(0);
    expect(rep.kpis.latency_ms.p99).toBeGreaterThanOrEqual(rep.kpis.latency_ms.p50);
    expect(rep.kpis.latency_ms.max).toBeGreaterThanOrEqual(rep.kpis.latency_ms.min);
  });

  it('with monitoring on, prints one EMF line with the contract metrics', async () => {
    const r = await runCli(
      [
        ...base('m3/'),
        '--monitoring',
        '--cost-tracking',
        '--env',
        'prod',
        '--destination-bucket',
        'obs-dst',
        '--destination-prefix',
        'm3/',
        '--max-concurrent',
        '8',
      ],
      s3.env(),
    );
    expect(r.code, r.stderr).toBe(0);
    const emf = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((d) => '_aws' in d);
    expect(emf).toHaveLength(1);
    expect(validateEmfDocument(emf[0])).toEqual([]);
    expect(emf[0]).toMatchObject({ Environment: 'prod', Mode: 'copy', ObjectsCopied: archive.length, ObjectsFailed: 0, SuccessRate: 100 });
    const names = (emf[0]!._aws as { CloudWatchMetrics: Array<{ Namespace: string; Metrics: Array<{ Name: string }> }> }).CloudWatchMetrics[0]!;
    expect(names.Namespace).toBe('S3DirectSync');
    for (const m of [
      'TransferRateMBps',
      'FilesPerSecond',
      'ErrorRate',
      'SuccessRate',
      'ObjectsCopied',
      'ObjectsFailed',
      'ObjectsSkipped',
      'BytesCopied',
      'ChecksumMismatches',
      'DurationSeconds',
      'CostPerGB',
    ]) {
      expect(names.Metrics.map((x) => x.Name)).toContain(m);
    }
  });

  it('--max-cost-usd stops before the estimate passes the budget: exit 4 with the estimate', async () => {
    const r = await runCli([...base('m4/'), '--max-cost-usd', '0.00006', '--json'], s3.env());
    expect(r.code).toBe(4);
    const rep = JSON.parse(r.stdout) as { error: string; counts: { copied: number; planned: number }; cost: { direct: { total_usd: number } } };
    expect(rep.error).toMatch(/stopped before exceeding --max-cost-usd 0.00006/);
    expect(rep.counts.copied).toBeGreaterThan(0);
    expect(rep.counts.copied).toBeLessThan(archive.length);
    expect(rep.counts.copied).toBe(rep.counts.planned);
    expect(rep.cost.direct.total_usd).toBeLessThanOrEqual(0.00006);
    // A budget below what listing alone costs: nothing is copied at all.
    const none = await runCli([...base('m4b/'), '--max-cost-usd', '0.000001', '--json'], s3.env());
    expect(none.code).toBe(4);
    expect(JSON.parse(none.stdout)).toMatchObject({ counts: { copied: 0 } });
  });

  it('detailed logging gives one structured line per object', async () => {
    const r = await runCli([...base('m5/'), '--detailed-logging'], s3.env());
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr
      .trim()
      .split('\n')
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
    const perObject = lines.filter((l) => l.message === 'object');
    expect(perObject).toHaveLength(archive.length);
    for (const l of perObject) for (const f of ['key', 'bytes', 'engine', 'latency_ms', 'attempts', 'result']) expect(l).toHaveProperty(f);
  });
});
