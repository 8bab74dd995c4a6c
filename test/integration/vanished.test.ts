/**
 * "Vanished" means the source no longer has the object. A copy answered NoSuchKey for a key the
 * source still lists (a request that named another key, as a key-encoding bug would) must fail the
 * run, or the object would be skipped on every run with exit 0 and never arrive.
 */
import { CreateBucketCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { toolPath } from '../../scripts/tools.js';
import type { RunReport } from '../../src/observe/report.js';
import { generateArchive, uploadArchive, type ArchiveObject } from '../fixtures/binance-archive.js';
import { runCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy, type FaultRules } from '../helpers/fault-proxy.js';
import { contentHashes } from '../helpers/s3.js';

const SRC = 'gone-src';
const DST = 'gone-dst';

describe('a NoSuchKey is "vanished" only when the source no longer lists the key', () => {
  let s3: LocalS3;
  let archive: ArchiveObject[];
  let dir: string;
  let proxy: FaultProxy | undefined;
  let n = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3ds-vanished-'));
    s3 = await startLocalS3({ buckets: [SRC, DST] });
    archive = [...generateArchive({ seed: 5, markets: ['spot'], symbols: ['BTCUSDT', 'ETHUSDT'], dataTypes: ['klines'], days: 2, rowsPerFile: 5 })];
    const client = s3.client();
    await uploadArchive(client, SRC, archive, { concurrency: 16 });
    client.destroy();
  });
  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
  });
  afterAll(async () => {
    await s3?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Copies data/ of `source` into a new destination prefix, through `endpoint`. */
  async function sync(endpoint: string, source: string, dest: string, engine: string, extra: string[] = []) {
    const reportFile = join(dir, `run-${++n}.json`);
    const args = ['sync', '--source', `s3://${source}/data/`, '--destination', `s3://${DST}/${dest}`, '--endpoint-url', endpoint];
    args.push('--engine', engine, '--report', reportFile, '--log-format', 'json', ...extra);
    const run = await runCli(args, { ...s3.env(), S3DS_S5CMD_PATH: toolPath('s5cmd') }, { timeoutMs: 120_000 });
    if (!existsSync(reportFile)) throw new Error(`exit ${run.code} without a report: ${run.stderr.slice(-3000)}`);
    return { code: run.code, stderr: run.stderr, report: JSON.parse(readFileSync(reportFile, 'utf8')) as RunReport };
  }

  /** The relative key of one zip that has a .CHECKSUM, and its bucket key. */
  function pick(i: number): { rel: string; key: string } {
    const zips = archive.filter((o) => o.key.endsWith('.zip'));
    const key = zips[i % zips.length]!.key;
    return { rel: key.slice('data/'.length), key };
  }

  const ENGINES = ['sdk', 's5cmd', 'stream'] as const;

  const MANGLED = '--engine %s: a key the source lists but every read of it answers NoSuchKey: exit 1, failed not vanished; the next run copies it';
  it.each(ENGINES)(MANGLED, async (engine) => {
    const { rel } = pick(ENGINES.indexOf(engine));
    const dest = `mangled-${engine}/`;
    proxy = await startFaultProxy(s3.endpoint, { keyNotFoundEndingWith: rel });
    const first = await sync(proxy.endpoint, SRC, dest, engine);
    expect(proxy.injected.notFound).toBeGreaterThan(0);
    expect(first.code, first.stderr.slice(-2000)).toBe(1);
    expect(first.report.counts).toMatchObject({ copied: archive.length - 1, failed: 1, vanished: 0 });
    const failure = first.report.failures.find((f) => f.key === rel);
    expect(failure, JSON.stringify(first.report.failures)).toMatchObject({ key: rel, code: 'NoSuchKey', error_class: 'client' });
    expect(failure!.message).toMatch(/the source still lists this key/);
    expect(first.stderr).toContain('the source still lists this key');

    const second = await sync(s3.endpoint, SRC, dest, engine);
    expect(second.code, second.stderr.slice(-2000)).toBe(0);
    expect(second.report.counts).toMatchObject({ copied: 1, failed: 0, vanished: 0 });
    const client = s3.client();
    const [src, dst] = [await contentHashes(client, SRC, 'data/'), await contentHashes(client, DST, dest)];
    client.destroy();
    expect(dst).toEqual(src);
  });

  it.each(ENGINES)('--engine %s: an object deleted from the source just before its copy is vanished, the run exits 0', async (engine) => {
    // Its own source bucket per case: the deletion must not reach the other cases' source.
    const source = `${SRC}-${engine}`;
    const admin = s3.client();
    await admin.send(new CreateBucketCommand({ Bucket: source }));
    await uploadArchive(admin, source, archive, { concurrency: 16 });
    const { rel, key } = pick(ENGINES.indexOf(engine));
    let deleted = 0;
    const beforeForward: FaultRules['beforeForward'] = async (req) => {
      if (deleted === 0 && req.kind !== 'head' && req.names === `${source}/${key}`) {
        deleted++;
        await admin.send(new DeleteObjectCommand({ Bucket: source, Key: key }));
      }
    };
    proxy = await startFaultProxy(s3.endpoint, { beforeForward });
    const run = await sync(proxy.endpoint, source, `deleted-${engine}/`, engine);
    admin.destroy();
    expect(deleted).toBe(1);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    expect(run.report.counts).toMatchObject({ copied: archive.length - 1, failed: 0, vanished: 1 });
    expect(run.report.failures).toEqual([expect.objectContaining({ key: rel, error_class: 'vanished' })]);
  });

  it('under SlowDown on every request kind, slow list pages and a throttled confirming listing: the mangled key still fails, nothing else does', async () => {
    const { rel } = pick(3);
    // The confirming listing is the only request whose query names the key (paths carry raw slashes).
    const confirm = encodeURIComponent(`data/${rel}`);
    proxy = await startFaultProxy(s3.endpoint, {
      keyNotFoundEndingWith: rel,
      slowDown: 0.2,
      allRequests: true,
      failFirstOfEachKind: 'slowDown',
      maxConsecutivePerRequest: 4,
      listDelayMs: 30,
      failPathContaining: { fault: 'slowDown', text: confirm, times: 2 },
    });
    const run = await sync(proxy.endpoint, SRC, 'harsh/', 'sdk', ['--retry-count', '10']);
    expect(run.code, run.stderr.slice(-2000)).toBe(1);
    expect(run.report.counts).toMatchObject({ copied: archive.length - 1, failed: 1, vanished: 0 });
    expect(run.report.counts.retries).toBeGreaterThan(0);
    expect(run.report.failures).toEqual([expect.objectContaining({ key: rel, code: 'NoSuchKey', error_class: 'client' })]);
    expect(run.report.failures[0]!.message).toMatch(/the source still lists this key/);
    const confirming = proxy.seen.filter((l) => l.includes(confirm));
    // Two throttled by the rule (more when the 20% share hits it too), then the one answered.
    expect(confirming.length, confirming.join('\n')).toBeGreaterThanOrEqual(3);
    expect(proxy.faulted.filter((l) => l.includes(confirm)).length).toBe(confirming.length - 1);
    // The run's first listing and the two confirming ones at least.
    expect(proxy.injectedByKind.list).toBeGreaterThanOrEqual(3);
    for (const kind of ['get', 'put', 'post'] as const) expect(proxy.injectedByKind[kind], kind).toBeGreaterThan(0);
  });
});
