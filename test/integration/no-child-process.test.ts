/**
 * Commands that do not copy start no child process: --version, --help and `plan` (s5cmd is looked
 * for, not run; the host is read from node:os and /proc, not from lscpu or ip). Each run preloads
 * test/helpers/forbid-child-process.mjs, which fails the process (exit 97) on any child_process call.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { toolPath } from '../../scripts/tools.js';
import { generateArchive, uploadArchive } from '../fixtures/binance-archive.js';
import { repoRoot, runCli } from '../helpers/cli.js';

const FORBID = { NODE_OPTIONS: `--import ${join(repoRoot, 'test', 'helpers', 'forbid-child-process.mjs')}` };
const CHILD_PROCESS_USED = 97;

describe('no child process unless one is used', () => {
  let s3: LocalS3;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3ds-nochild-'));
    s3 = await startLocalS3({ buckets: ['src-bucket', 'dst-bucket'] });
    const client = s3.client();
    await uploadArchive(client, 'src-bucket', generateArchive({ seed: 5, symbols: ['BTCUSDT'], dataTypes: ['klines'], days: 2, rowsPerFile: 3 }));
    client.destroy();
  });
  afterAll(async () => {
    await s3?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['--version', '--help', 'sync --help', 'plan --help'])('%s', async (args) => {
    const r = await runCli(args.split(' '), FORBID);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
  });

  it('plan (with s5cmd installed) lists, compares and reports without one', async () => {
    const s5cmd = toolPath('s5cmd');
    const env = { ...s3.env(), ...FORBID, S3DS_S5CMD_PATH: s5cmd };
    const r = await runCli(['plan', '--source', 's3://src-bucket/data/', '--destination', 's3://dst-bucket/m/', '--endpoint-url', s3.endpoint, '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { counts: { planned: number } };
    expect(report.counts.planned).toBeGreaterThan(0);
  });

  it('the preload does catch a child process: validate runs s5cmd', async () => {
    const env = { ...s3.env(), ...FORBID, S3DS_S5CMD_PATH: toolPath('s5cmd') };
    const r = await runCli(['validate', '--source', 's3://src-bucket/data/', '--destination', 's3://dst-bucket/m/', '--endpoint-url', s3.endpoint], env);
    expect(r.code).toBe(CHILD_PROCESS_USED);
    expect(r.stderr).toMatch(/child_process\.execFile\(.*s5cmd\) called/);
  });
});
