import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { runSync } from '../helpers/job.js';
import { contentHashes, put } from '../helpers/s3.js';

describe('bandwidth cap on a real transfer', () => {
  let s3: LocalS3;
  const SIZE = 30 * 1000 * 1000;

  beforeAll(async () => {
    s3 = await startLocalS3({ buckets: ['bw-src', 'bw-dst'] });
    const client = s3.client();
    const body = new Uint8Array(SIZE);
    for (let i = 0; i < SIZE; i++) body[i] = (i * 2654435761) >>> 24;
    await put(client, 'bw-src', 'data/big.bin', body);
    client.destroy();
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('a download-and-upload copy stays within 15% of --rate-limit-mbps', async () => {
    // 80 Mbps = 10,000,000 bytes/s, so 30 MB should take about 3 s.
    const report = await runSync(s3, {
      source: 's3://bw-src/data/',
      destination: 's3://bw-dst/m/',
      engine: 'stream',
      'rate-limit-mbps': 80,
      'part-size-mb': 8,
      'multipart-threshold-mb': 8,
      verify: false,
    });
    expect(report.exit_code, report.logs).toBe(0);
    const seconds = (report.kpis?.latency_ms.max ?? 0) / 1000;
    const bytesPerSecond = SIZE / seconds;
    expect(bytesPerSecond).toBeGreaterThan(10_000_000 * 0.85);
    expect(bytesPerSecond).toBeLessThan(10_000_000 * 1.15);
    const client = s3.client();
    expect(await contentHashes(client, 'bw-dst', 'm/')).toEqual(await contentHashes(client, 'bw-src', 'data/'));
    client.destroy();
    console.log(`bandwidth cap 80 Mbps (10.0 MB/s): measured ${(bytesPerSecond / 1e6).toFixed(2)} MB/s over ${seconds.toFixed(2)} s`);
  });
});
