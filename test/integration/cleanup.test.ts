import { CreateMultipartUploadCommand, ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { abortStaleUploads, listStaleUploads } from '../../src/resilience/cleanup.js';

const BUCKET = 'cleanup-bucket';
const PREFIX = 'bronze/binance/';

async function startUpload(client: S3Client, key: string): Promise<string> {
  const r = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
  return r.UploadId!;
}

async function openUploads(client: S3Client): Promise<Array<{ key: string; uploadId: string }>> {
  const r = await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
  return (r.Uploads ?? []).map((u) => ({ key: u.Key!, uploadId: u.UploadId! })).sort((a, b) => a.key.localeCompare(b.key));
}

describe('stale multipart uploads against a real S3 server', () => {
  let s3: LocalS3;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startLocalS3({ buckets: [BUCKET] });
    client = s3.client();
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
  });

  it('aborts the uploads inside the prefix and leaves the one outside alone', async () => {
    const inside1 = await startUpload(client, `${PREFIX}data/spot/daily/aggTrades/BTCUSDT/BTCUSDT-aggTrades-2024-01-01.zip`);
    const inside2 = await startUpload(client, `${PREFIX}data/futures/um/monthly/klines/ETHUSDT/1m/ETHUSDT-1m-2024-01.zip`);
    // Shares the first characters of the prefix but is not under it.
    const outsideKey = 'bronze/binance-other/data/spot/x.zip';
    const outside = await startUpload(client, outsideKey);

    const listed = await listStaleUploads(client, BUCKET, PREFIX);
    expect(listed.map((u) => u.uploadId).sort()).toEqual([inside1, inside2].sort());
    for (const u of listed) expect(u.initiated).toBeInstanceOf(Date);

    const result = await abortStaleUploads(client, BUCKET, PREFIX);
    expect(result.failed).toEqual([]);
    expect(result.aborted.map((u) => u.uploadId).sort()).toEqual([inside1, inside2].sort());

    expect(await openUploads(client)).toEqual([{ key: outsideKey, uploadId: outside }]);
    expect(await listStaleUploads(client, BUCKET, PREFIX)).toEqual([]);
    expect((await abortStaleUploads(client, BUCKET, 'bronze/binance-other/')).aborted).toHaveLength(1);
  });

  it('olderThan spares uploads started after the cut-off', async () => {
    const old = await startUpload(client, `${PREFIX}old.zip`);
    const listed = await listStaleUploads(client, BUCKET, PREFIX);
    const oldInitiated = listed.find((u) => u.uploadId === old)!.initiated!;
    const cutoff = new Date(oldInitiated.getTime() + 1000);
    await new Promise((r) => setTimeout(r, 1100));
    const fresh = await startUpload(client, `${PREFIX}fresh.zip`);

    const result = await abortStaleUploads(client, BUCKET, PREFIX, { olderThan: cutoff });
    expect(result.aborted.map((u) => u.uploadId)).toEqual([old]);
    expect((await listStaleUploads(client, BUCKET, PREFIX)).map((u) => u.uploadId)).toEqual([fresh]);
    await abortStaleUploads(client, BUCKET, PREFIX);
  });

  it('follows every page of the listing', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await startUpload(client, `${PREFIX}paged/${String(i).padStart(2, '0')}.zip`));
    const listed = await listStaleUploads(client, BUCKET, PREFIX, { pageSize: 2 });
    expect(listed.map((u) => u.uploadId).sort()).toEqual([...ids].sort());
    const result = await abortStaleUploads(client, BUCKET, PREFIX, { pageSize: 3 });
    expect(result.aborted).toHaveLength(7);
    expect(await listStaleUploads(client, BUCKET, PREFIX)).toEqual([]);
  });

  it('gets every upload of a key that has several, even across page boundaries', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await startUpload(client, `${PREFIX}same/key.zip`));
    ids.push(await startUpload(client, `${PREFIX}same/later.zip`));
    const outside = await startUpload(client, 'elsewhere/key.zip');
    const result = await abortStaleUploads(client, BUCKET, PREFIX, { pageSize: 2 });
    expect(result.failed).toEqual([]);
    expect(result.aborted.map((u) => u.uploadId).sort()).toEqual([...ids].sort());
    expect(await openUploads(client)).toEqual([{ key: 'elsewhere/key.zip', uploadId: outside }]);
  });
});
