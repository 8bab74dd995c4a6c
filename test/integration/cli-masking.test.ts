import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { estimateCount, generateArchive, uploadArchive, type ArchiveOptions } from '../fixtures/binance-archive.js';
import { runCli } from '../helpers/cli.js';

const ARCHIVE: ArchiveOptions = { seed: 8, symbols: ['BTCUSDT'], dataTypes: ['klines'], days: 1, rowsPerFile: 3 };
/** The server's secret key, which the job gets from AWS_SECRET_ACCESS_KEY like any user's. */
const SECRET = 'EnvSecretKeyMarker4Tz8';

describe('secrets from the environment, as a user runs the CLI', () => {
  let s3: LocalS3;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3ds-cli-masking-'));
    s3 = await startLocalS3({ buckets: ['src-bucket', 'dst-bucket'], secretAccessKey: SECRET });
    const client = s3.client();
    await uploadArchive(client, 'src-bucket', generateArchive(ARCHIVE));
    client.destroy();
  });
  afterAll(async () => {
    await s3?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never appear in the log, the --json report or the --report file, even where the input echoes them', async () => {
    const reportFile = join(dir, 'report.json');
    // A secret pasted into a path by mistake is echoed by the plan, the log lines and the report.
    const destination = `s3://dst-bucket/by-mistake-${SECRET}/`;
    const r = await runCli(
      [
        'sync',
        '--source',
        's3://src-bucket/data/',
        '--destination',
        destination,
        '--endpoint-url',
        s3.endpoint,
        '--json',
        '--report',
        reportFile,
        '--log-level',
        'debug',
        '--detailed-logging',
      ],
      s3.env(),
    );
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { destination: string; counts: { copied: number } };
    expect(report.counts.copied).toBe(estimateCount(ARCHIVE));
    expect(report.destination).toContain('by-mistake-[REDACTED]');
    const written = readFileSync(reportFile, 'utf8');
    for (const [what, text] of [
      ['stdout', r.stdout],
      ['stderr', r.stderr],
      ['report', written],
    ] as const) {
      expect(text.length, what).toBeGreaterThan(0);
      expect(text, what).not.toContain(SECRET);
    }
  });
});
