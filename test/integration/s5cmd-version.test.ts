import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { put } from '../helpers/s3.js';
import { runCli } from '../helpers/cli.js';

describe('an s5cmd older than 2.3.0 on PATH', () => {
  let s3: LocalS3;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3ds-s5cmd-version-'));
    // A stand-in for an old s5cmd: only its version output matters here.
    writeFileSync(join(dir, 's5cmd'), '#!/bin/sh\n[ "$1" = version ] && { echo v2.2.2-48f7e59; exit 0; }\necho "old s5cmd must not be run: $*" >&2\nexit 99\n');
    chmodSync(join(dir, 's5cmd'), 0o755);
    s3 = await startLocalS3({ buckets: ['src-bucket', 'dst-bucket'] });
    const client = s3.client();
    for (let i = 0; i < 5; i++) await put(client, 'src-bucket', `data/f${i}.csv`, `row ${i}`);
    client.destroy();
    env = { ...s3.env(), PATH: `${dir}:${process.env.PATH ?? ''}` };
  });
  afterAll(async () => {
    await s3?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const sync = (dest: string, ...extra: string[]) => [
    'sync',
    '--source',
    's3://src-bucket/data/',
    '--destination',
    `s3://dst-bucket/${dest}/`,
    '--endpoint-url',
    s3.endpoint,
    ...extra,
  ];

  it.each([[[]], [['--no-validate']]])('--engine s5cmd %j exits 4 naming the version found and the one needed', async (extra) => {
    const r = await runCli(sync('forced', '--engine', 's5cmd', ...extra), env);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/version 2\.2\.2, older than the 2\.3\.0 this job needs/);
    expect(r.stderr).not.toMatch(/must not be run/);
  });

  it('engine auto leaves it unused (logged) and copies with the SDK engine', async () => {
    const r = await runCli(sync('auto', '--no-verify', '--json', '--log-format', 'json'), env);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { engine: string; counts: { copied: number } };
    expect(report.engine).toBe('sdk');
    expect(report.counts.copied).toBe(5);
    expect(r.stderr).toMatch(/s5cmd not used.*older than the 2\.3\.0/);
    expect(r.stderr).not.toMatch(/must not be run/);
  });
});
