import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { toolPath } from '../../scripts/tools.js';
import { contentHashes, put } from '../helpers/s3.js';
import { runSync } from '../helpers/job.js';

/** Keys that would break a line-based run file (versitygw stores and lists these; U+0001 it cannot list). */
const CONTROL_KEYS = ['ctl/new\nline.csv', 'ctl/carriage\rreturn.csv', 'ctl/tab\there.csv', 'ctl/del\u007fete.csv'];
const PLAIN_KEYS = Array.from({ length: 12 }, (_, i) => `plain/file-${String(i).padStart(2, '0')}.csv`);

/**
 * The real s5cmd behind a wrapper that keeps a copy of every run file it is given and, with
 * KEEP_LINES set, passes only that many lines on: a batch that stops early, as a crash would.
 */
function wrapS5cmd(dir: string, keepLines?: number): string {
  const saved = join(dir, 'run-files');
  mkdirSync(saved, { recursive: true });
  const wrapper = join(dir, 's5cmd');
  writeFileSync(
    wrapper,
    `#!/bin/sh
for last; do :; done
if [ "$1" != version ] && [ -f "$last" ]; then
  cp "$last" "${saved}/$(basename "$last").$$"
  ${keepLines === undefined ? '' : `head -n ${keepLines} "$last" > "$last.cut" && mv "$last.cut" "$last"`}
fi
exec '${toolPath('s5cmd')}' "$@"
`,
  );
  chmodSync(wrapper, 0o755);
  return wrapper;
}

describe('what reaches the s5cmd engine', () => {
  let s3: LocalS3;
  let dir: string;
  const saved = process.env.S3DS_S5CMD_PATH;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3ds-s5cmd-input-'));
    s3 = await startLocalS3({ buckets: ['source-bucket', 'mirror-bucket'] });
    const client = s3.client();
    for (const k of [...CONTROL_KEYS, ...PLAIN_KEYS]) await put(client, 'source-bucket', `data/${k}`, `content of ${JSON.stringify(k)}`);
    client.destroy();
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.S3DS_S5CMD_PATH;
    else process.env.S3DS_S5CMD_PATH = saved;
  });
  afterAll(async () => {
    await s3?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const flags = (dest: string) => ({
    source: 's3://source-bucket/data/',
    destination: `s3://mirror-bucket/${dest}/`,
    engine: 's5cmd',
    verify: false,
    'batch-size': 5,
    'max-concurrent': 4,
  });

  it('keys with a newline, carriage return, tab or DEL go to the SDK engine, never into a run file', async () => {
    const runDir = join(dir, 'routing');
    process.env.S3DS_S5CMD_PATH = wrapS5cmd(runDir);
    const report = await runSync(s3, flags('routing'));
    expect(report.exit_code, report.logs).toBe(0);
    const client = s3.client();
    const src = await contentHashes(client, 'source-bucket', 'data/');
    const dst = await contentHashes(client, 'mirror-bucket', 'routing/');
    client.destroy();
    expect(dst).toEqual(src);
    expect(report.engines).toMatchObject({ s5cmd: { objects: PLAIN_KEYS.length }, sdk: { objects: CONTROL_KEYS.length } });
    expect(report.degradations).toEqual([]);
    const lines = readdirSync(join(runDir, 'run-files')).flatMap((f) =>
      readFileSync(join(runDir, 'run-files', f), 'utf8')
        .split('\n')
        .filter(Boolean),
    );
    expect(lines).toHaveLength(PLAIN_KEYS.length);
    for (const line of lines) expect(line).toMatch(/^cp .*\/plain\/file-\d\d\.csv'$/);
  });

  it('a batch s5cmd leaves partly unreported is copied through the SDK and recorded in degradations', async () => {
    process.env.S3DS_S5CMD_PATH = wrapS5cmd(join(dir, 'early'), 2);
    const report = await runSync(s3, flags('early'));
    expect(report.exit_code, report.logs).toBe(0);
    const client = s3.client();
    const src = await contentHashes(client, 'source-bucket', 'data/');
    const dst = await contentHashes(client, 'mirror-bucket', 'early/');
    client.destroy();
    expect(dst).toEqual(src);
    const stops = report.degradations.filter((d) => d.from === 's5cmd' && d.to === 'sdk');
    expect(stops.length, JSON.stringify(report.degradations)).toBeGreaterThan(0);
    expect(stops[0]!.reason).toMatch(/^s5cmd exited with 0 leaving \d+ of \d+ objects of a batch unreported; the SDK engine copies them/);
  });
});
