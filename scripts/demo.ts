/**
 * Demo driver (run through scripts/demo.sh): local S3 + the realistic generated archive (all four
 * markets, every data type and interval, a non-ASCII symbol, COIN-M contracts, the real archive's
 * odd cases) + two syncs with the real CLI. Options: --days N (default 5) --keep (leave the server running).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startLocalS3 } from './local-s3.js';
import { estimateCount, generateArchive, realisticArchive, uploadArchive } from '../test/fixtures/binance-archive.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;

function cli(args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'dist', 'cli', 'main.js'), ...args], {
      env: { ...process.env, ...env },
      stdio: 'inherit',
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<void> {
  const s3 = await startLocalS3({
    buckets: ['data.binance.vision', 'bronze-lake'],
    accessKeyId: 'demo-access-key',
    secretAccessKey: 'demo-secret-key-not-real',
  });
  let failed = false;
  try {
    const opts = realisticArchive({
      seed: 2024,
      days: arg('days', 5),
      anomalies: { nonPaddedDate: true, missingChecksum: 2, checksumWithoutNewline: 2, outsidePrefix: true },
    });
    const started = Date.now();
    console.log(
      `\n== local S3 (versitygw) at ${s3.endpoint}; generating ${estimateCount(opts)} Binance-shaped objects into s3://data.binance.vision/\n` +
        '   (spot, futures/um, futures/cm, option; every data type and interval; a non-ASCII symbol; COIN-M perpetual and dated contracts;\n' +
        '   unpadded monthly names and 2 zips without .CHECKSUM, 2 .CHECKSUM files without a newline; index.html and a staging copy outside data/)',
    );
    const client = s3.client();
    const t0 = Date.now();
    const up = await uploadArchive(client, 'data.binance.vision', generateArchive(opts), { concurrency: 16 });
    client.destroy();
    console.log(`   uploaded ${up.objects} objects (${(up.bytes / 1024 / 1024).toFixed(1)} MiB) in ${seconds(t0)}`);

    const args = ['sync', '--source', 's3://data.binance.vision/data/', '--destination', 's3://bronze-lake/binance/archive/', '--endpoint-url', s3.endpoint];
    console.log(`\n== first sync: s3-direct-sync ${args.join(' ')}\n`);
    const t1 = Date.now();
    const first = await cli(args, s3.env());
    const firstTime = seconds(t1);
    console.log(`\n== second sync (nothing should be copied)\n`);
    const t2 = Date.now();
    const second = await cli(args, s3.env());
    const secondTime = seconds(t2);
    console.log(`\n== exit codes: first ${first} (${firstTime}), second ${second} (${secondTime}); demo took ${seconds(started)} in all`);
    failed = first !== 0 || second !== 0;
    if (process.argv.includes('--keep')) {
      console.log(`server left running at ${s3.endpoint} (Ctrl-C to stop)`);
      await new Promise(() => undefined);
    }
  } finally {
    await s3.stop();
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
