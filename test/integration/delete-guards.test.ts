/**
 * Deletes that cannot wipe the lake, tried with the built CLI as a new user and an operator would:
 * overlapping locations and a bucket-root sync are refused before any request (exit 2); an empty
 * source, mass deletion and checksum mismatches withhold every delete (exit 1 / 5).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { estimateCount, generateArchive, uploadArchive, type ArchiveOptions } from '../fixtures/binance-archive.js';
import { runCli } from '../helpers/cli.js';
import { runSync } from '../helpers/job.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { listKeys, put } from '../helpers/s3.js';

const ARCHIVE: ArchiveOptions = { seed: 11, symbols: ['BTCUSDT'], dataTypes: ['klines'], days: 2, rowsPerFile: 5 };
const OBJECTS = estimateCount(ARCHIVE);
// Enough objects that one delete stays under the default 10%: only the mismatch can withhold it.
const badArchive = [...generateArchive({ ...ARCHIVE, days: 12, prefix: 'bad/', anomalies: { checksumMismatch: 1 } })];

interface Report {
  exit_code: number;
  counts: { copied: number; deleted: number; planned_deletes: number; checksum_mismatches: number };
  failures: Array<{ key: string; error_class: string; code?: string; message: string }>;
}

describe('delete guards, through the CLI against a real S3 server', () => {
  let s3: LocalS3;
  let proxy: FaultProxy;
  const env = () => s3.env();
  const sync = (source: string, destination: string, ...more: string[]) =>
    runCli(['sync', '--source', source, '--destination', destination, '--endpoint-url', s3.endpoint, '--log-format', 'json', '--json', ...more], env());
  const report = (stdout: string) => JSON.parse(stdout) as Report;

  beforeAll(async () => {
    s3 = await startLocalS3({ buckets: ['lake', 'src-bucket', 'dst-bucket', 'root-bucket'] });
    proxy = await startFaultProxy(s3.endpoint, {});
    const client = s3.client();
    await uploadArchive(client, 'src-bucket', generateArchive(ARCHIVE));
    await uploadArchive(client, 'src-bucket', badArchive);
    for (const k of ['data/sub/a.csv', 'data/sub/b.csv', 'data/other.csv']) await put(client, 'lake', k, `content of ${k}`);
    client.destroy();
  });
  afterAll(async () => {
    await proxy?.stop();
    await s3?.stop();
  });

  it('the new-user mistake (source inside the destination, sync mode) exits 2 from every command, before any request', async () => {
    const where = ['--source', 's3://lake/data/sub/', '--destination', 's3://lake/data/', '--sync-mode', 'sync', '--endpoint-url', proxy.endpoint];
    for (const command of ['sync', 'plan', 'validate', 'estimate']) {
      const r = await runCli([command, ...where], env());
      expect(r.code, `${command}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain('the source s3://lake/data/sub/ lies inside the destination s3://lake/data/: a sync-mode run would delete what it mirrors');
    }
    // The other way round, and in copy mode: refused as well.
    const inside = await runCli(['sync', '--source', 's3://lake/data/', '--destination', 's3://lake/data/mirror/', '--endpoint-url', proxy.endpoint], env());
    expect(inside.code, inside.stderr).toBe(2);
    expect(inside.stderr).toMatch(/lies inside the source/);
    expect(proxy.seen).toEqual([]);
    const client = s3.client();
    expect((await listKeys(client, 'lake', 'data/')).sort()).toEqual(['other.csv', 'sub/a.csv', 'sub/b.csv']);
    client.destroy();
  });

  it('the job refuses the same on its own (called as a library, no CLI in front)', async () => {
    const report = await runSync(s3, { source: 's3://lake/data/sub/', destination: 's3://lake/data/', 'sync-mode': 'sync', 'endpoint-url': proxy.endpoint });
    expect(report.exit_code, report.logs).toBe(2);
    expect(report.error).toMatch(/lies inside the destination/);
    expect(proxy.seen).toEqual([]);
  });

  it('a bucket-root destination in sync mode (s3://b, s3://b/, s3://b//) exits 2 before any request; --allow-bucket-root lets it run', async () => {
    const client = s3.client();
    await put(client, 'root-bucket', 'other/keep.csv', 'not from the source');
    const seenBefore = proxy.seen.length;
    for (const destination of ['s3://root-bucket', 's3://root-bucket/', 's3://root-bucket//']) {
      const r = await runCli(
        ['sync', '--source', 's3://src-bucket/data/', '--destination', destination, '--sync-mode', 'sync', '--endpoint-url', proxy.endpoint],
        env(),
      );
      expect(r.code, `${destination}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/root of bucket root-bucket .*--allow-bucket-root/);
    }
    expect(proxy.seen.length).toBe(seenBefore);
    expect(await listKeys(client, 'root-bucket')).toEqual(['other/keep.csv']);
    // Allowed, the run deletes what the source lacks (the percent guard is lifted too: 1 of 7 objects).
    const allowed = await sync('s3://src-bucket/data/', 's3://root-bucket//', '--sync-mode', 'sync', '--allow-bucket-root', '--max-delete-percent', '100');
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(report(allowed.stdout).counts).toMatchObject({ copied: OBJECTS, deleted: 1 });
    expect(await listKeys(client, 'root-bucket', 'other/')).toEqual([]);
    client.destroy();
  });

  it('an empty source selection in sync mode deletes nothing and exits 1, naming the numbers; --force-deletes deletes', async () => {
    const first = await sync('s3://src-bucket/data/', 's3://dst-bucket/e/');
    expect(first.code, first.stderr).toBe(0);
    const r = await sync('s3://src-bucket/data/typo/', 's3://dst-bucket/e/', '--sync-mode', 'sync');
    expect(r.code, r.stderr).toBe(1);
    const rep = report(r.stdout);
    expect(rep.counts).toMatchObject({ deleted: 0, planned_deletes: OBJECTS });
    expect(rep.failures).toEqual([
      {
        key: 's3://dst-bucket/e/',
        error_class: 'delete-cap',
        code: 'empty-source',
        message: `sync would delete ${OBJECTS} of the destination's ${OBJECTS} objects because the source selection under s3://src-bucket/data/typo/ listed no objects (a mistyped or emptied source?); nothing was deleted (--force-deletes to delete anyway)`,
      },
    ]);
    const logged = r.stderr
      .split('\n')
      .filter((l) => l.includes('deletes refused'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      reason: 'empty-source',
      planned_deletes: OBJECTS,
      destination_objects: OBJECTS,
      source_objects: 0,
      max_delete_percent: 10,
    });
    const client = s3.client();
    expect(await listKeys(client, 'dst-bucket', 'e/')).toHaveLength(OBJECTS);

    const forced = await sync('s3://src-bucket/data/typo/', 's3://dst-bucket/e/', '--sync-mode', 'sync', '--force-deletes');
    expect(forced.code, forced.stderr).toBe(0);
    expect(report(forced.stdout).counts.deleted).toBe(OBJECTS);
    expect(forced.stderr).toMatch(/deleting despite a delete guard \(--force-deletes\)/);
    expect(await listKeys(client, 'dst-bucket', 'e/')).toEqual([]);
    client.destroy();
  });

  it('deletes above --max-delete-percent (default 10) of the destination are withheld; a higher limit or --force-deletes lets them through', async () => {
    const client = s3.client();
    const extras = async () => {
      await put(client, 'dst-bucket', 'p/spot/extra-1.csv', 'x');
      await put(client, 'dst-bucket', 'p/extra-2.csv', 'y');
    };
    expect((await sync('s3://src-bucket/data/', 's3://dst-bucket/p/')).code).toBe(0);
    await extras();
    const total = OBJECTS + 2;
    const refused = await sync('s3://src-bucket/data/', 's3://dst-bucket/p/', '--sync-mode', 'sync');
    expect(refused.code, refused.stderr).toBe(1);
    const rep = report(refused.stdout);
    expect(rep.counts.deleted).toBe(0);
    expect(rep.failures).toHaveLength(1);
    expect(rep.failures[0]).toMatchObject({ error_class: 'delete-cap', code: 'max-delete-percent' });
    expect(rep.failures[0]!.message).toBe(
      `sync would delete 2 of the destination's ${total} objects (${(200 / total).toFixed(1)}%), ` +
        `more than --max-delete-percent 10; nothing was deleted (--force-deletes to delete anyway)`,
    );
    expect(await listKeys(client, 'dst-bucket', 'p/')).toHaveLength(total);

    const raised = await sync('s3://src-bucket/data/', 's3://dst-bucket/p/', '--sync-mode', 'sync', '--max-delete-percent', '100');
    expect(raised.code, raised.stderr).toBe(0);
    expect(report(raised.stdout).counts.deleted).toBe(2);

    await extras();
    const forced = await sync('s3://src-bucket/data/', 's3://dst-bucket/p/', '--sync-mode', 'sync', '--force-deletes');
    expect(forced.code, forced.stderr).toBe(0);
    expect(report(forced.stdout).counts.deleted).toBe(2);
    expect(await listKeys(client, 'dst-bucket', 'p/')).toHaveLength(OBJECTS);
    client.destroy();
  });

  it('a checksum mismatch withholds every delete (exit 5)', async () => {
    const client = s3.client();
    const bad = badArchive.find((o) => o.anomaly === 'checksum-mismatch' && o.kind === 'zip')!;
    const badRel = bad.key.slice('bad/'.length);
    // Everything but the bad zip (and its .CHECKSUM) mirrored already; one stale object that sync mode would delete.
    const first = await sync('s3://src-bucket/bad/', 's3://dst-bucket/m/', '--exclude', badRel);
    expect(first.code, first.stderr).toBe(0);
    await put(client, 'dst-bucket', 'm/stale.csv', 'gone from the source');
    const r = await sync('s3://src-bucket/bad/', 's3://dst-bucket/m/', '--sync-mode', 'sync');
    expect(r.code, r.stderr).toBe(5);
    const rep = report(r.stdout);
    // The zip and its .CHECKSUM (a pair travels together through the selection).
    expect(rep.counts).toMatchObject({ copied: 2, checksum_mismatches: 1, deleted: 0, planned_deletes: 1 });
    expect(rep.failures).toContainEqual({
      key: 's3://dst-bucket/m/',
      error_class: 'delete-cap',
      code: 'checksum-mismatch',
      message: '1 deletes skipped because copied objects did not match their .CHECKSUM (1 mismatches); nothing was deleted',
    });
    expect(await listKeys(client, 'dst-bucket', 'm/stale.csv')).toEqual(['']);
    client.destroy();
  });
});
