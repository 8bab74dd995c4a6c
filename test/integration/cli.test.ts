import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { estimateCount, generateArchive, uploadArchive, type ArchiveOptions } from '../fixtures/binance-archive.js';

const ARCHIVE: ArchiveOptions = { seed: 3, symbols: ['BTCUSDT'], dataTypes: ['klines'], days: 2, rowsPerFile: 5 };
const OBJECTS = estimateCount(ARCHIVE);
import { runCli } from '../helpers/cli.js';

describe('the CLI, as a user runs it', () => {
  let s3: LocalS3;
  let dir: string;
  const base = () => ['--source', 's3://src-bucket/data/', '--endpoint-url', s3.endpoint, '--log-format', 'json'];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3ds-cli-'));
    s3 = await startLocalS3({ buckets: ['src-bucket', 'dst-bucket'] });
    const client = s3.client();
    await uploadArchive(client, 'src-bucket', generateArchive(ARCHIVE));
    client.destroy();
  });
  afterAll(async () => {
    await s3?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('syncs, prints the JSON report on stdout and writes --report', async () => {
    const reportFile = join(dir, 'report.json');
    const r = await runCli(['sync', ...base(), '--destination', 's3://dst-bucket/m/', '--json', '--report', reportFile], s3.env());
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const field of [
      'run_id',
      'started_at',
      'finished_at',
      'duration_seconds',
      'mode',
      'engine',
      'source',
      'destination',
      'counts',
      'bytes',
      'rates',
      'failures',
      'degradations',
      'exit_code',
    ]) {
      expect(report, field).toHaveProperty(field);
    }
    expect(report.counts).toMatchObject({ copied: OBJECTS, verified: OBJECTS / 2, failed: 0 });
    expect(JSON.parse(readFileSync(reportFile, 'utf8'))).toEqual(report);
    for (const line of r.stderr.trim().split('\n')) expect(() => JSON.parse(line), line).not.toThrow();
  });

  it('a missing destination bucket is exit code 4, naming the bucket', async () => {
    const r = await runCli(['sync', ...base(), '--destination', 's3://no-such-bucket/x/'], s3.env());
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/destination bucket 'no-such-bucket' does not exist/);
  });

  it('a missing source bucket is exit code 4', async () => {
    const r = await runCli(['sync', '--source', 's3://no-source-here/data/', '--endpoint-url', s3.endpoint, '--destination', 's3://dst-bucket/x/'], s3.env());
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/source bucket 'no-source-here' does not exist/);
  });

  it.each(['plan', 'sync --no-validate'])('%s probes a missing bucket itself: exit 4 with the same message as sync', async (command) => {
    const r = await runCli([...command.split(' '), ...base(), '--destination', 's3://no-such-bucket/x/'], s3.env());
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/preflight failed \(run 'validate' for every check\)/);
    expect(r.stderr).toMatch(/destination-exists: destination bucket 'no-such-bucket' does not exist at http:\/\/127\.0\.0\.1:\d+ \(us-east-1\)/);
  });

  it('plan --explain shows every sized number and every number derived from it', async () => {
    const r = await runCli(['plan', ...base(), '--destination', 's3://dst-bucket/explain/', '--explain', '--max-concurrent', '40'], s3.env());
    expect(r.code, r.stderr).toBe(0);
    const expected = { max_concurrent: 40, governor_max: 40, governor_increase_step: 3, verify_concurrency: 40, multipart_threshold_bytes: 100 * 1024 ** 2 };
    for (const [name, value] of Object.entries(expected)) {
      expect(r.stdout).toMatch(new RegExp(`^${name}\\s+${value}\\s+\\S`, 'm'));
    }
    const computed = ['batch_size', 'part_size_mb', 'retry_count', 'list_parallelism', 'dispatcher_in_flight', 'list_prefetch', 's5cmd_workers'];
    computed.push('list_concurrency', 'part_size_bytes');
    for (const name of computed) {
      expect(r.stdout).toMatch(new RegExp(`^${name}\\s+\\d+\\s+\\S`, 'm'));
    }
    expect(r.stdout).toMatch(/^max_concurrent\s+40\s+operator\s+set explicitly by --max-concurrent$/m);
  });

  it('plan --env prod --explain: the preset leaves the numbers to the sizing, an S3DS_* variable overrides one', async () => {
    const r = await runCli(['plan', ...base(), '--destination', 's3://dst-bucket/explain-prod/', '--env', 'prod', '--explain'], {
      ...s3.env(),
      S3DS_BATCH_SIZE: '300',
    });
    expect(r.code, r.stderr).toBe(0);
    // The seed's prod preset said max_concurrent 16; the sizing gives 64 per vCPU for server-side copies.
    expect(r.stdout).toMatch(/^max_concurrent\s+\d+\s+sizing\s+server-side copy is bound by request latency/m);
    expect(r.stdout).not.toMatch(/^max_concurrent\s+16\s/m);
    expect(r.stdout).toMatch(/^batch_size\s+300\s+operator\s+set explicitly by S3DS_BATCH_SIZE$/m);
    for (const name of ['part_size_mb', 'retry_count']) expect(r.stdout).toMatch(new RegExp(`^${name}\\s+\\d+\\s+sizing\\s`, 'm'));
  });

  it('bad configuration is exit code 2 and names every bad field', async () => {
    const r = await runCli(
      ['sync', ...base(), '--destination', 's3://dst-bucket/x/', '--max-concurrent', 'lots', '--sync-mode', 'mirror', '--storage-class', 'COLD'],
      s3.env(),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/max_concurrent/);
    expect(r.stderr).toMatch(/lots/);
    expect(r.stderr).toMatch(/sync_mode/);
    expect(r.stderr).toMatch(/copy, sync/);
    expect(r.stderr).toMatch(/storage_class/);
  });

  it('an unknown flag or no command is a usage error, exit code 2', async () => {
    expect((await runCli(['sync', '--no-such-flag'], s3.env())).code).toBe(2);
    expect((await runCli([], s3.env())).code).toBe(2);
  });

  it('a seed config file loads unchanged through --config', async () => {
    const file = join(dir, 'seed.json');
    writeFileSync(
      file,
      JSON.stringify({
        enable_s3_direct_sync: true,
        operation_mode: 'auto',
        destination_bucket: 'dst-bucket',
        destination_prefix: 'seed/archive',
        sync_mode: 'copy',
        enable_incremental: true,
        performance_optimization: {
          max_concurrent: 4,
          batch_size: 50,
          part_size_mb: 25,
          retry_count: 3,
          enable_multipart_threshold_mb: 50,
          storage_class: 'STANDARD',
        },
        s3_config: { region: 'us-east-1', use_accelerated_endpoint: false },
        enable_detailed_logging: true,
        enable_monitoring: true,
        enable_cost_tracking: false,
        enable_performance_analytics: false,
      }),
    );
    const r = await runCli(['plan', ...base(), '--config', file, '--json'], s3.env());
    expect(r.code, r.stderr).toBe(0);
    // The seed's enable_performance_analytics is retired: accepted, with a warning that it does nothing.
    expect(r.stderr).toMatch(/enable_performance_analytics: retired setting in file \S+seed\.json, it has no effect in the job/);
    const report = JSON.parse(r.stdout) as { destination: string; counts: { planned: number; copied: number } };
    expect(report.destination).toBe('s3://dst-bucket/seed/archive/');
    expect(report.counts.planned).toBe(OBJECTS);
    expect(report.counts.copied).toBe(0);
  });

  it('--help lists the commands and flags', async () => {
    const r = await runCli(['sync', '--help'], {});
    expect(r.code).toBe(0);
    for (const flag of [
      '--source',
      '--destination',
      '--endpoint-url',
      '--source-endpoint-url',
      '--config',
      '--env',
      '--mode',
      '--engine',
      '--sync-mode',
      '--max-delete',
      '--max-delete-percent',
      '--force-deletes',
      '--allow-bucket-root',
      '--dry-run',
      '--json',
      '--report',
    ]) {
      expect(r.stdout).toContain(flag);
    }
  });
});
