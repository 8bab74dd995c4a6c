import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pricingOption, secretRefusal, shardOption } from '../../../src/cli/command-inputs.js';
import { checkOutputPaths, manifestPath, printResult, Refusal, withRefusals, writeReportFile, type CommandIo } from '../../../src/cli/command-io.js';
import { ExitCode, JobError } from '../../../src/exit-codes.js';
import { DEFAULT_PRICING } from '../../../src/cost/pricing.js';
import { SecretError } from '../../../src/storage/secrets.js';
import { registerSecretValue } from '../../../src/storage/secret-registry.js';

const dir = mkdtempSync(join(tmpdir(), 's3ds-command-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function captureIo(env: NodeJS.ProcessEnv = {}): CommandIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { env, out, err, stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } };
}

async function refusalOf(fn: () => unknown): Promise<Refusal> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof Refusal) return err;
    throw err;
  }
  throw new Error('no refusal');
}

describe('withRefusals', () => {
  it('returns the command exit code and writes nothing when nothing is refused', async () => {
    const io = captureIo();
    expect(await withRefusals(io, async () => 5)).toBe(5);
    expect(io.err).toEqual([]);
  });

  it('turns a Refusal or a JobError into its message on stderr (secrets masked) and its exit code', async () => {
    registerSecretValue('sekrit-value-42');
    const io = captureIo();
    expect(
      await withRefusals(io, async () => {
        throw new Refusal('bad key sekrit-value-42', ExitCode.badConfig);
      }),
    ).toBe(2);
    expect(
      await withRefusals(
        io,
        async () => {
          throw new JobError('no tasks', ExitCode.preflight);
        },
        's3-direct-sync launch',
      ),
    ).toBe(4);
    expect(io.err).toEqual(['s3-direct-sync: bad key [REDACTED]\n', 's3-direct-sync launch: no tasks\n']);
  });

  it('lets any other error through', async () => {
    await expect(
      withRefusals(captureIo(), async () => {
        throw new TypeError('bug');
      }),
    ).rejects.toThrow('bug');
  });
});

describe('output', () => {
  it('puts the manifest beside the report unless --manifest names it', () => {
    expect(manifestPath({ report: 'out/r.json' })).toBe('out/r.manifest.jsonl');
    expect(manifestPath({ report: 'r.json', manifest: 'm.jsonl' })).toBe('m.jsonl');
    expect(manifestPath({})).toBeUndefined();
  });

  it('refuses a report or manifest path that cannot be written (exit 2); plan writes no manifest', async () => {
    const missing = join(dir, 'no-such-folder', 'm.jsonl');
    expect(() => checkOutputPaths('sync', { report: join(dir, 'r.json') })).not.toThrow();
    const r = await refusalOf(() => checkOutputPaths('sync', { manifest: missing }));
    expect(r).toEqual(new Refusal(`--manifest ${missing}: cannot write there: its folder does not exist`, ExitCode.badConfig));
    expect(() => checkOutputPaths('plan', { manifest: missing })).not.toThrow();
    expect(() => checkOutputPaths('sync', { manifest: missing, 'dry-run': true })).not.toThrow();
    expect((await refusalOf(() => checkOutputPaths('plan', { report: dir }))).message).toBe(`--report ${dir}: cannot write there: it is a directory`);
  });

  it('writes the report file as indented JSON and prints JSON or text with secrets masked', () => {
    const path = join(dir, 'report.json');
    writeReportFile(path, { a: 1 });
    expect(readFileSync(path, 'utf8')).toBe('{\n  "a": 1\n}\n');
    registerSecretValue('other-secret-77');
    const io = captureIo();
    printResult(io, true, { key: 'other-secret-77' }, () => 'unused');
    printResult(io, false, {}, () => 'text other-secret-77');
    expect(io.out).toEqual(['{\n  "key": "[REDACTED]"\n}\n', 'text [REDACTED]\n']);
  });
});

describe('command inputs', () => {
  it('reads --shard and --shard-depth from flags before the environment', async () => {
    expect(shardOption({}, {})).toBeUndefined();
    expect(shardOption({ shard: '1/4' }, { S3DS_SHARD: '0/2', S3DS_SHARD_DEPTH: '2' })).toMatchObject({ depth: 2 });
    // No depth: the shards are cut by the selection's groups.
    expect(shardOption({}, { S3DS_SHARD: '0/2' })).toEqual({ index: 0, count: 2 });
    const tooDeep = await refusalOf(() => shardOption({ shard: '0/2', 'shard-depth': 17 }, {}));
    expect(tooDeep.message).toBe("--shard-depth must be an integer from 0 to 16, got '17'");
    expect((await refusalOf(() => shardOption({ shard: 'x' }, {}))).exitCode).toBe(ExitCode.badConfig);
  });

  it('uses the built-in prices without a pricing file, refuses an unreadable one (exit 2)', async () => {
    expect(await pricingOption({}, {})).toBe(DEFAULT_PRICING);
    const missing = join(dir, 'missing-prices.json');
    const r = await refusalOf(() => pricingOption({}, { S3DS_PRICING_FILE: missing }));
    expect(r.exitCode).toBe(ExitCode.badConfig);
    expect(r.message).toContain(missing);
    const bad = join(dir, 'bad-prices.json');
    writeFileSync(bad, '{"as_of": 3}');
    expect((await refusalOf(() => pricingOption({ 'pricing-file': bad }, { S3DS_PRICING_FILE: missing }))).message).toContain(bad);
  });

  it('makes an unreadable secret a preflight failure (4) and a malformed one bad configuration (2)', () => {
    const denied = new SecretError('AccessDenied', 'id', 'AccessDeniedException');
    expect(secretRefusal(denied, '--config-secret')).toEqual(new Refusal('--config-secret: AccessDenied', ExitCode.preflight));
    expect(secretRefusal(new SecretError('not JSON', 'id'), '--config-secret').exitCode).toBe(ExitCode.badConfig);
    expect(secretRefusal(new Error('boom'), '--x')).toEqual(new Refusal('--x: boom', ExitCode.badConfig));
    expect(() => secretRefusal('a string', '--x')).toThrow();
  });
});
