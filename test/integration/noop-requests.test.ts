/**
 * The fixed requests of a run, counted at a proxy in front of versitygw: a no-op re-sync checks each
 * bucket once (one preflight), probes the write once, and otherwise sends only the lease's requests,
 * the leftover-upload listing and the two listings. A check added twice fails here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { generateArchive, uploadArchive } from '../fixtures/binance-archive.js';
import { runCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';

/** A request as the counts below name it: which bucket, which operation (lease and probe objects apart). */
function shape(seen: string): string {
  const [method = '', target = ''] = seen.split(' ');
  const url = new URL(target, 'http://x');
  const [, bucket = ''] = url.pathname.split('/');
  const q = url.searchParams;
  const side = bucket === 'src-bucket' ? 'source' : 'dest';
  if (method === 'GET' && q.get('list-type') === '2') {
    if (q.get('max-keys') === '1') return `${side} list probe`;
    return (q.get('prefix') ?? '').includes('_leases/') ? 'lease list' : `${side} listing page`;
  }
  if (url.pathname.includes('/_leases/')) return `lease ${method}`;
  if (url.pathname.includes('/_s3ds-validate/')) return `write probe ${method}`;
  if (method === 'GET' && q.has('uploads')) return `${side} list uploads`;
  return `${side} ${method} ${q.get('x-id') ?? ''}`.trim();
}

function counts(seen: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of seen) out[shape(s)] = (out[shape(s)] ?? 0) + 1;
  return out;
}

describe('the fixed requests of a no-op run', () => {
  let s3: LocalS3;
  let proxy: FaultProxy;
  let dir: string;
  const args = (command: string, dest: string) => [
    ...command.split(' '),
    '--source',
    's3://src-bucket/data/',
    '--destination',
    `s3://dst-bucket/${dest}/`,
    '--endpoint-url',
    proxy.endpoint,
    '--log-format',
    'json',
    '--no-progress',
  ];
  const env = () => ({ ...s3.env(), AWS_ENDPOINT_URL_S3: proxy.endpoint });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3ds-noop-'));
    s3 = await startLocalS3({ buckets: ['src-bucket', 'dst-bucket'] });
    proxy = await startFaultProxy(s3.endpoint, {});
    const client = s3.client();
    await uploadArchive(client, 'src-bucket', generateArchive({ seed: 9, symbols: ['BTCUSDT'], dataTypes: ['klines'], days: 3, rowsPerFile: 3 }));
    client.destroy();
  });
  afterAll(async () => {
    await proxy?.stop();
    await s3?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sync: each bucket checked once, one write probe, the lease, one leftover listing, the listings', async () => {
    const full = await runCli(args('sync', 'noop'), env());
    expect(full.code, full.stderr).toBe(0);
    proxy.seen.length = 0;
    const noop = await runCli(args('sync', 'noop'), env());
    expect(noop.code, noop.stderr).toBe(0);
    const { 'source listing page': sourcePages = 0, 'dest listing page': destPages = 0, ...fixed } = counts(proxy.seen);
    expect(sourcePages).toBeGreaterThanOrEqual(1);
    expect(destPages).toBeGreaterThanOrEqual(1);
    expect(fixed).toEqual({
      'source list probe': 1,
      'dest list probe': 1,
      'write probe POST': 1,
      'write probe DELETE': 1,
      // take (If-None-Match, refused: the last run's released lease is there), read it, take it over
      // (If-Match), read every lease, read ours back, release
      'lease PUT': 3,
      'lease GET': 2,
      'lease list': 1,
      'dest list uploads': 1,
    });
  });

  it.each(['plan', 'sync --no-validate --dry-run'])('%s: each bucket checked once, nothing written', async (command) => {
    proxy.seen.length = 0;
    const r = await runCli(args(command, 'noop'), env());
    expect(r.code, r.stderr).toBe(0);
    const { 'source listing page': sourcePages = 0, 'dest listing page': destPages = 0, ...fixed } = counts(proxy.seen);
    expect(sourcePages).toBeGreaterThanOrEqual(1);
    expect(destPages).toBeGreaterThanOrEqual(1);
    expect(fixed).toEqual({ 'source list probe': 1, 'dest list probe': 1 });
  });
});
