/**
 * `validate` as a user runs it, against a real local S3 (versitygw) and a real STS (moto with
 * authentication on, so wrong credentials are really refused): a good setup passes every check,
 * and each check fails on its own, with its own message and exit code 4.
 */
import { ListObjectsV2Command, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { toolPath } from '../../scripts/tools.js';
import { loadConfig } from '../../src/config/load.js';
import { describeFailures, preflightChecks } from '../../src/validate/checks.js';
import { CHECK_NAMES, failedChecks, type ChecksDocument } from '../../src/validate/results.js';
import { archiveKeys, generateArchive, uploadArchive, type ArchiveOptions } from '../fixtures/binance-archive.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { freePort, motoServerPath, startMoto, type MotoServer } from '../helpers/moto.js';
import { runOk } from '../helpers/spawn.js';

const ARCHIVE: ArchiveOptions = { seed: 11, symbols: ['BTCUSDT'], dataTypes: ['klines'], days: 2, rowsPerFile: 5 };
/** S3 lists keys in UTF-8 byte order: the first key a listing of the source returns. */
const FIRST_KEY = [...archiveKeys(ARCHIVE)].map((k) => k.key).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))[0]!;

/** Sets process.env entries for the servers this file starts (their children inherit it), then restores them. */
async function withEnv<T>(vars: Record<string, string>, f: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await f();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** An IAM user and access key in moto (made with the boto3 that moto ships with), while authentication is still off. */
async function motoAccessKey(endpoint: string): Promise<{ id: string; secret: string }> {
  const python = join(dirname(motoServerPath()), 'python');
  const script = [
    'import boto3, json, sys',
    "iam = boto3.client('iam', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='bootstrap', aws_secret_access_key='bootstrap')",
    "iam.create_user(UserName='s3ds-validate')",
    "k = iam.create_access_key(UserName='s3ds-validate')['AccessKey']",
    "print(json.dumps({'id': k['AccessKeyId'], 'secret': k['SecretAccessKey']}))",
  ].join('\n');
  const { stdout } = await runOk(python, ['-c', script, endpoint]);
  return JSON.parse(stdout) as { id: string; secret: string };
}

function doc(r: CliRun): ChecksDocument {
  try {
    return JSON.parse(r.stdout) as ChecksDocument;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

function check(d: ChecksDocument, name: string) {
  const c = d.checks.find((x) => x.name === name);
  if (!c) throw new Error(`no ${name} in ${JSON.stringify(d)}`);
  return c;
}

describe('validate', () => {
  let moto: MotoServer;
  let s3: LocalS3;
  let key: { id: string; secret: string };
  const s5cmd = toolPath('s5cmd');

  beforeAll(async () => {
    // Two unauthenticated actions (CreateUser, CreateAccessKey); every request after them is authenticated.
    moto = await withEnv({ INITIAL_NO_AUTH_ACTION_COUNT: '2' }, () => startMoto());
    key = await motoAccessKey(moto.endpoint);
    // The same key and secret are the local S3 server's root credentials.
    s3 = await startLocalS3({ accessKeyId: key.id, secretAccessKey: key.secret, buckets: ['src-bucket', 'dst-bucket'] });
    const client = s3.client();
    await uploadArchive(client, 'src-bucket', generateArchive(ARCHIVE));
    client.destroy();
  }, 16 * 60_000);
  afterAll(async () => {
    await s3?.stop();
    await moto?.stop();
  });

  const env = (extra: Record<string, string> = {}) => ({ ...s3.env(), AWS_ENDPOINT_URL_STS: moto.endpoint, S3DS_S5CMD_PATH: s5cmd, ...extra });
  const args = (...more: string[]) => ['validate', '--source', 's3://src-bucket/data/', '--destination', 's3://dst-bucket/mirror/', ...more];

  it('a good setup passes every check: a table on stdout, exit 0', async () => {
    const r = await runCli(args(), env());
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CHECK\s+RESULT\s+DETAIL$/);
    for (const name of CHECK_NAMES)
      expect(
        lines.find((l) => l.startsWith(`${name} `)),
        name,
      ).toMatch(new RegExp(`^${name}\\s+ok\\s+\\S`));
    expect(lines[lines.length - 1]).toBe('8 passed, 0 skipped, 0 failed');
    expect(r.stdout).toContain('arn:aws:iam::123456789012:user/s3ds-validate (account 123456789012)');
    expect(r.stdout).toContain(`first key ${FIRST_KEY}`);
    expect(r.stdout).not.toContain(key.secret);
    expect(r.stderr).not.toContain(key.secret);
    // The write check cleaned up after itself.
    const client = s3.client();
    const left = await client.send(new ListObjectsV2Command({ Bucket: 'dst-bucket', Prefix: 'mirror/_s3ds-validate/' }));
    client.destroy();
    expect(left.KeyCount ?? 0).toBe(0);
  });

  it('--json: every check passed, in order, with latencies', async () => {
    const r = await runCli(args('--json'), env());
    expect(r.code, r.stderr).toBe(0);
    const d = doc(r);
    expect(d.ok).toBe(true);
    expect(d.failed).toEqual([]);
    expect(d.checks.map((c) => c.name)).toEqual([...CHECK_NAMES]);
    for (const c of d.checks) {
      expect(c.ok, c.name).toBe(true);
      expect(c.skipped, c.name).toBeUndefined();
    }
    expect(check(d, 'endpoint-latency').latency_ms).toBeGreaterThan(0);
    expect(check(d, 'endpoint-latency').detail).toMatch(new RegExp(`^${s3.endpoint}: median [\\d.]+ ms of 3 requests`));
    expect(check(d, 'destination-writable').detail).toMatch(
      /^started and aborted a multipart upload at s3:\/\/dst-bucket\/mirror\/_s3ds-validate\/[0-9a-f-]{36}$/,
    );
    expect(check(d, 's5cmd').detail).toContain(s5cmd);
    expect(check(d, 'config').detail).toMatch(/cli: destination_bucket, destination_prefix, source_bucket, source_prefix/);
  });

  it('wrong credentials: STS and S3 refuse them, exit 4; no secret is shown', async () => {
    const r = await runCli(args('--json'), env({ AWS_ACCESS_KEY_ID: 'AKIAWRONGWRONGWRONG0', AWS_SECRET_ACCESS_KEY: 'not-the-secret-at-all' }));
    expect(r.code).toBe(4);
    const d = doc(r);
    expect(d.failed).toEqual(['credentials', 'source-listable', 'destination-exists', 'destination-writable']);
    expect(check(d, 'credentials').detail).toBe(
      `${moto.endpoint} refused the credentials from the default credential chain: the access key id is not known to the server (InvalidClientTokenId)`,
    );
    expect(check(d, 'credentials').hint).toMatch(/AWS_ACCESS_KEY_ID/);
    expect(check(d, 'source-listable').detail).toMatch(
      /^s3:ListBucket on s3:\/\/src-bucket\/data\/ refused: the access key id is not known to the server \((InvalidAccessKeyId|XAdminUserNotFound)\)/,
    );
    expect(check(d, 'destination-writable').detail).toMatch(/^s3:PutObject on .* refused: the access key id is not known/);
    // The others still ran and passed.
    for (const name of ['config', 's5cmd', 'endpoint-latency', 'resources']) expect(check(d, name).ok, name).toBe(true);
    expect(r.stderr).toBe('validate: failed: credentials, source-listable, destination-exists, destination-writable\n');
    expect(r.stdout + r.stderr).not.toContain('not-the-secret-at-all');
  });

  it('the STS endpoint cannot be reached: the credentials check fails alone', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const r = await runCli(args('--json'), env({ AWS_ENDPOINT_URL_STS: closed }));
    expect(r.code).toBe(4);
    const d = doc(r);
    expect(d.failed).toEqual(['credentials']);
    expect(check(d, 'credentials').detail).toBe(`cannot reach ${closed}: ECONNREFUSED`);
    expect(r.stderr).toBe('validate: failed: credentials\n');
  });

  it('a source that cannot be listed (missing bucket) fails source-listable alone', async () => {
    const r = await runCli(['validate', '--source', 's3://missing-src/data/', '--destination', 's3://dst-bucket/mirror/', '--json'], env());
    expect(r.code).toBe(4);
    const d = doc(r);
    expect(d.failed).toEqual(['source-listable']);
    expect(check(d, 'source-listable').detail).toBe(`source bucket 'missing-src' does not exist at ${s3.endpoint} (us-east-1)`);
    expect(r.stderr).toBe('validate: failed: source-listable\n');
  });

  it('a missing destination bucket fails destination-exists and destination-writable, naming the bucket', async () => {
    const r = await runCli(['validate', '--source', 's3://src-bucket/data/', '--destination', 's3://no-such-dst/x/'], env());
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/^destination-exists\s+FAIL\s+destination bucket 'no-such-dst' does not exist at http:\/\/127\.0\.0\.1:\d+ \(us-east-1\)$/m);
    expect(r.stdout).toMatch(/^destination-writable\s+FAIL\s+destination bucket 'no-such-dst' does not exist/m);
    expect(r.stdout).toMatch(/^\s+hint: create the bucket/m);
    expect(r.stderr).toBe('validate: failed: destination-exists, destination-writable\n');
  });

  it('s5cmd forced with --engine s5cmd but absent fails the s5cmd check; absent and not forced passes', async () => {
    const forced = await runCli(args('--engine', 's5cmd', '--json'), env({ S3DS_S5CMD_PATH: '/nonexistent' }));
    expect(forced.code).toBe(4);
    const d = doc(forced);
    expect(d.failed).toEqual(['s5cmd']);
    expect(check(d, 's5cmd').detail).toBe('s5cmd not found (looked in $S3DS_S5CMD_PATH), and --engine s5cmd requires it');
    expect(forced.stderr).toBe('validate: failed: s5cmd\n');

    const optional = await runCli(args('--json'), env({ S3DS_S5CMD_PATH: '/nonexistent' }));
    expect(optional.code, optional.stderr).toBe(0);
    expect(check(doc(optional), 's5cmd')).toMatchObject({
      ok: true,
      detail: 's5cmd not found (looked in $S3DS_S5CMD_PATH): the job uses its SDK engine (server-side CopyObject) instead',
    });
  });

  it('an unreachable endpoint (a closed port) fails endpoint-latency, and the bucket checks with it', async () => {
    const port = await freePort();
    const r = await runCli(args('--endpoint-url', `http://127.0.0.1:${port}`, '--check-timeout-seconds', '5', '--json'), env());
    expect(r.code).toBe(4);
    const d = doc(r);
    expect(d.failed).toEqual(['source-listable', 'destination-exists', 'destination-writable', 'endpoint-latency']);
    expect(check(d, 'endpoint-latency').detail).toBe(`cannot reach http://127.0.0.1:${port}: request 1 of 3 failed: ECONNREFUSED`);
    expect(check(d, 'destination-exists').detail).toBe(
      `cannot reach http://127.0.0.1:${port} (us-east-1) for s3:ListBucket on s3://dst-bucket/mirror/: ECONNREFUSED`,
    );
    expect(r.stderr).toBe('validate: failed: source-listable, destination-exists, destination-writable, endpoint-latency\n');
  });

  it('resources below the stated minimums (S3DS_VALIDATE_MIN_*) fail the resources check alone', async () => {
    const r = await runCli(args('--json'), env({ S3DS_VALIDATE_MIN_MEMORY_BYTES: '1000TiB', S3DS_VALIDATE_MIN_CPUS: '100000' }));
    expect(r.code).toBe(4);
    const d = doc(r);
    expect(d.failed).toEqual(['resources']);
    expect(check(d, 'resources').detail).toMatch(/^free memory [\d.]+ \w+ is below the minimum 1000\.0 TiB; [\d.]+ vCPU is below the minimum 100000 \(/);
    expect(r.stderr).toBe('validate: failed: resources\n');

    const disk = await runCli(args('--min-disk-bytes', '1000TiB', '--json'), env());
    expect(disk.code).toBe(4);
    expect(check(doc(disk), 'resources').detail).toMatch(/^free disk in \S+ [\d.]+ \w+ is below the minimum 1000\.0 TiB/);
  });

  it('--skip reports checks as skipped without failing; bad options and configuration are exit 2', async () => {
    const skipped = await runCli(
      args('--skip', 'resources,s5cmd', '--skip', 'endpoint-latency'),
      env({ S3DS_VALIDATE_MIN_MEMORY_BYTES: '1000TiB', S3DS_S5CMD_PATH: '/nonexistent' }),
    );
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(skipped.stdout).toMatch(/^resources\s+skipped\s+skipped \(--skip\)$/m);
    expect(skipped.stdout.trimEnd().split('\n').pop()).toBe('5 passed, 3 skipped, 0 failed');

    const unknown = await runCli(args('--skip', 'network'), env());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown check 'network'/);
    const noDestination = await runCli(['validate', '--source', 's3://src-bucket/data/'], env());
    expect(noDestination.code).toBe(2);
    expect(noDestination.stderr).toMatch(/destination_bucket/);
    const badMinimum = await runCli(args('--min-memory-bytes', 'plenty'), env());
    expect(badMinimum.code).toBe(2);
    expect(badMinimum.stderr).toMatch(/--min-memory-bytes: .*'plenty'/);
  });
});

describe('validate: a destination the credentials may not write (a bucket policy denies PutObject under a prefix)', () => {
  let s3: LocalS3;
  let iamDir: string;
  const user = { id: 'ro-user', secret: 'ro-user-secret' };

  beforeAll(async () => {
    // versitygw's own IAM (accounts besides root); root bypasses bucket policies, accounts do not.
    iamDir = mkdtempSync(join(tmpdir(), 's3ds-vgw-iam-'));
    s3 = await withEnv({ VGW_IAM_DIR: iamDir }, () => startLocalS3({ buckets: ['iam-src', 'iam-dst'] }));
    const admin = ['admin', '--access', s3.accessKeyId, '--secret', s3.secretAccessKey, '--endpoint-url', s3.endpoint];
    await runOk(toolPath('versitygw'), [...admin, 'create-user', '--access', user.id, '--secret', user.secret, '--role', 'user']);
    const client = s3.client();
    await uploadArchive(client, 'iam-src', generateArchive(ARCHIVE));
    const allow = (bucket: string, actions: string[]) => ({
      Effect: 'Allow',
      Principal: { AWS: [user.id] },
      Action: actions,
      Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
    });
    await client.send(
      new PutBucketPolicyCommand({
        Bucket: 'iam-src',
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [allow('iam-src', ['s3:ListBucket', 's3:GetObject'])] }),
      }),
    );
    await client.send(
      new PutBucketPolicyCommand({
        Bucket: 'iam-dst',
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            allow('iam-dst', ['s3:ListBucket', 's3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload']),
            { Effect: 'Deny', Principal: { AWS: [user.id] }, Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::iam-dst/read-only/*'] },
          ],
        }),
      }),
    );
    client.destroy();
  });
  afterAll(async () => {
    await s3?.stop();
    if (iamDir) rmSync(iamDir, { recursive: true, force: true });
  });

  const env = () => ({ ...s3.env(), AWS_ACCESS_KEY_ID: user.id, AWS_SECRET_ACCESS_KEY: user.secret, S3DS_S5CMD_PATH: toolPath('s5cmd') });

  it('the denied prefix fails destination-writable alone, naming the action and resource', async () => {
    const r = await runCli(['validate', '--source', 's3://iam-src/data/', '--destination', 's3://iam-dst/read-only/', '--json'], env());
    expect(r.code).toBe(4);
    const d = doc(r);
    expect(d.failed).toEqual(['destination-writable']);
    const w = check(d, 'destination-writable');
    expect(w.detail).toMatch(
      new RegExp(`^s3:PutObject on s3://iam-dst/read-only/_s3ds-validate/[0-9a-f-]{36} denied \\(AccessDenied\\) at ${s3.endpoint} \\(us-east-1\\)$`),
    );
    expect(w.hint).toMatch(/^the credentials need s3:PutObject on arn:aws:s3:::iam-dst\/read-only\/_s3ds-validate\//);
    // No STS on this server and none given: the credentials check is skipped, not failed.
    expect(check(d, 'credentials')).toMatchObject({ ok: true, skipped: true });
    expect(check(d, 'credentials').detail).toMatch(/^not verified: .* access key …user from the default credential chain/);
    expect(check(d, 'destination-exists').ok).toBe(true);
    expect(r.stderr).toBe('validate: failed: destination-writable\n');
  });

  it('preflightChecks (what sync runs first): the source, the destination, writes only when the run writes, s5cmd only when forced', async () => {
    const e = env();
    const load = (cli: Record<string, unknown>) => loadConfig({ cli: { source: 's3://iam-src/data/', ...cli }, environ: e });
    // The S3 clients take credentials from this process's environment (the default chain), as in the CLI.
    const preflight = (cli: Record<string, unknown>, needWrite: boolean, extraEnv: Record<string, string> = {}) =>
      withEnv(e, () => {
        const loaded = load(cli);
        return preflightChecks({ config: loaded.config, explicit: loaded.explicit, env: { ...e, ...extraEnv }, needWrite });
      });

    const denied = await preflight({ destination: 's3://iam-dst/read-only/' }, true);
    expect(denied.map((r) => r.name)).toEqual(['source-listable', 'destination-exists', 'destination-writable']);
    expect(failedChecks(denied)).toEqual(['destination-writable']);
    expect(describeFailures(denied)).toMatch(
      /^destination-writable: s3:PutObject on s3:\/\/iam-dst\/read-only\/_s3ds-validate\/\S+ denied \(AccessDenied\) at .* \(hint: the credentials need s3:PutObject on /,
    );

    const planOnly = await preflight({ destination: 's3://iam-dst/read-only/' }, false);
    expect(planOnly.map((r) => r.name)).toEqual(['source-listable', 'destination-exists']);
    expect(failedChecks(planOnly)).toEqual([]);
    expect(describeFailures(planOnly)).toBe('');

    const forced = await preflight({ destination: 's3://iam-dst/writable/', engine: 's5cmd' }, true, { S3DS_S5CMD_PATH: '/nonexistent' });
    expect(forced.map((r) => r.name)).toEqual(['source-listable', 'destination-exists', 'destination-writable', 's5cmd']);
    expect(failedChecks(forced)).toEqual(['s5cmd']);

    const missing = await preflight({ source: 's3://gone-src/data/', destination: 's3://gone-dst/x/' }, true);
    expect(failedChecks(missing)).toEqual(['source-listable', 'destination-exists', 'destination-writable']);
    expect(describeFailures(missing).split('\n')[0]).toMatch(/^source-listable: source bucket 'gone-src' does not exist/);
  });

  it('the same user may write elsewhere in the bucket: exit 0', async () => {
    const r = await runCli(['validate', '--source', 's3://iam-src/data/', '--destination', 's3://iam-dst/writable/', '--json'], env());
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(check(doc(r), 'destination-writable').detail).toMatch(/^started and aborted a multipart upload at s3:\/\/iam-dst\/writable\/_s3ds-validate\//);
  });
});
