import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/**
 * Bad input a new user types, refused by the built CLI before any request. The endpoint is a
 * closed port: reaching it would end in exit 4, not 2.
 */
describe('the CLI refuses bad input before any work', () => {
  let dir: string;
  const closed = 'http://127.0.0.1:9';
  const env = { AWS_ACCESS_KEY_ID: 'local-access-key', AWS_SECRET_ACCESS_KEY: 'local-secret-key', AWS_REGION: 'us-east-1' };
  const sync = (...extra: string[]) => ['sync', '--source', 's3://src-bucket/data/', '--destination', 's3://dst-bucket/m/', '--endpoint-url', closed, ...extra];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 's3ds-cli-input-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    [['--log-level', 'trace'], {}],
    [['--log-level', 'bogus'], {}],
    [[], { S3DS_LOG_LEVEL: 'trace' }],
  ])('a log level %j %j is exit 2 naming the accepted values', async (args, extraEnv) => {
    const r = await runCli(sync(...args), { ...env, ...extraEnv });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/accepts one of: error, warn, info, debug/);
  });

  it.each([
    ['--endpoint-url', 's3_config.endpoint_url'],
    ['--source-endpoint-url', 'source_endpoint_url'],
  ])('an endpoint with user:password@ in %s is exit 2, and the password is printed nowhere', async (flag, path) => {
    const r = await runCli(
      ['sync', '--source', 's3://src-bucket/data/', '--destination', 's3://dst-bucket/m/', flag, 'http://lake:pw-f00-secret@127.0.0.1:9', '--json'],
      env,
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(path);
    expect(r.stderr).toMatch(/without user:password@/);
    expect(r.stdout + r.stderr).not.toContain('pw-f00-secret');
  });

  it('an unknown key in the config file or an unknown S3DS_ variable is exit 2 naming it and the key meant', async () => {
    const file = join(dir, 'typo.json');
    writeFileSync(file, JSON.stringify({ sync_mode: 'sync', max_delet: 5, performance_optimization: { max_concurent: 4 } }));
    const r = await runCli(sync('--config', file), { ...env, S3DS_BATCH_SIZ: '10' });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('max_delet: unknown key in file');
    expect(r.stderr).toContain("(did you mean 'max_delete'?)");
    expect(r.stderr).toContain('performance_optimization.max_concurent: unknown key in file');
    expect(r.stderr).toContain("(did you mean 'max_concurrent'?)");
    expect(r.stderr).toContain("S3DS_BATCH_SIZ: unknown variable in the environment (did you mean 'S3DS_BATCH_SIZE'?)");
  });

  it('--date-from -1d --date-to -3d (relative dates, given as separate words) is exit 2 naming the empty window', async () => {
    const r = await runCli(sync('--date-from', '-1d', '--date-to', '-3d'), env);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /selection\.date_from: got "-1d" from cli --date-from; accepts a date on or before selection\.date_to \(-3d, that is \d{4}-\d{2}-\d{2}\)/,
    );
  });

  it.each([
    ['--report', 'no-such-folder/report.json', /--report \S+no-such-folder\/report\.json: cannot write there: its folder does not exist/],
    ['--report', '.', /--report \S+: cannot write there: it is a directory/],
    ['--manifest', 'no-such-folder/m.jsonl', /--manifest \S+no-such-folder\/m\.jsonl: cannot write there: its folder does not exist/],
  ])('%s %s that cannot be written is exit 2 before any request', async (flag, rel, message) => {
    const r = await runCli(sync(flag, join(dir, rel)), env);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it.each(['sync', 'validate', 'estimate'])('secret credentials from the environment are masked in a %s refusal that would echo them', async (command) => {
    const secret = 'EnvSecretMarker7Qx2';
    const token = 'EnvSessionTokenMarker5Kw9';
    const r = await runCli([command, ...sync('--max-concurrent', secret, '--storage-class', token).slice(1)], {
      ...env,
      AWS_SECRET_ACCESS_KEY: secret,
      AWS_SESSION_TOKEN: token,
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/max_concurrent: got "\[REDACTED\]"/);
    expect(r.stdout + r.stderr).not.toContain(secret);
    expect(r.stdout + r.stderr).not.toContain(token);
  });
});
