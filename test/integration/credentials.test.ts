import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { generateArchive, uploadArchive } from '../fixtures/binance-archive.js';
import { runCli } from '../helpers/cli.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { contentHashes } from '../helpers/s3.js';

describe('credentials per side', () => {
  let s3: LocalS3;

  beforeAll(async () => {
    s3 = await startLocalS3({ buckets: ['public-archive', 'private-lake'] });
    const client = s3.client();
    await uploadArchive(client, 'public-archive', generateArchive({ seed: 4, symbols: ['BTCUSDT'], dataTypes: ['klines'], days: 3, rowsPerFile: 5 }));
    // Like data.binance.vision: anyone may list and read.
    await client.send(
      new PutBucketPolicyCommand({
        Bucket: 'public-archive',
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: '*',
              Action: ['s3:GetObject', 's3:ListBucket'],
              Resource: ['arn:aws:s3:::public-archive', 'arn:aws:s3:::public-archive/*'],
            },
          ],
        }),
      }),
    );
    client.destroy();
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('--source-no-sign-request lists and reads the source unsigned; the copy is signed by the destination side', async () => {
    const proxy = await startFaultProxy(s3.endpoint, {});
    try {
      const r = await runCli(
        [
          'sync',
          '--source',
          's3://public-archive/data/',
          '--source-no-sign-request',
          '--destination',
          's3://private-lake/mirror/',
          '--endpoint-url',
          proxy.endpoint,
          '--json',
        ],
        s3.env(),
      );
      expect(r.code, r.stderr).toBe(0);
      const sourceRequests = proxy.seen.filter((l) => /^(GET|HEAD) \/public-archive/.test(l));
      expect(sourceRequests.length).toBeGreaterThan(0);
      expect(sourceRequests.every((l) => l.endsWith(' unsigned'))).toBe(true);
      const writes = proxy.seen.filter((l) => l.startsWith('PUT /private-lake'));
      expect(writes.length).toBeGreaterThan(0);
      expect(writes.every((l) => l.endsWith(' signed'))).toBe(true);
    } finally {
      await proxy.stop();
    }
    const client = s3.client();
    expect(await contentHashes(client, 'private-lake', 'mirror/')).toEqual(await contentHashes(client, 'public-archive', 'data/'));
    client.destroy();
  });
});
