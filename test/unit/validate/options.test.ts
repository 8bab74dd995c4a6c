import { describe, expect, it } from 'vitest';
import { parseEstimateOptions } from '../../../src/cli/estimate-command.js';
import { Refusal } from '../../../src/cli/command-io.js';
import { parseValidateOptions } from '../../../src/cli/validate-command.js';
import { median, s3EndpointUrl } from '../../../src/validate/checks.js';
import { DEFAULT_MINIMUMS } from '../../../src/validate/resources.js';

const GiB = 1024 ** 3;

function refusal(f: () => unknown): Refusal {
  try {
    f();
  } catch (err) {
    if (err instanceof Refusal) return err;
    throw err;
  }
  throw new Error('expected a Refusal');
}

describe('parseValidateOptions', () => {
  it('refuses an STS endpoint with user:password@ without printing the password', () => {
    for (const [argv, env] of [
      [{ 'sts-endpoint-url': 'http://u:sts-pass-9@127.0.0.1:5000' }, {}],
      [{}, { AWS_ENDPOINT_URL_STS: 'https://u:sts-pass-9@sts.example.com' }],
    ] as const) {
      const r = refusal(() => parseValidateOptions(argv, env));
      expect(r.exitCode).toBe(2);
      expect(r.message).toMatch(/without user:password@/);
      expect(r.message).not.toContain('sts-pass-9');
    }
  });

  it('defaults', () => {
    expect(parseValidateOptions({}, {})).toEqual({ skip: [], minimums: DEFAULT_MINIMUMS, timeoutMs: 15_000 });
  });

  it('--skip comma-separated or repeated; S3DS_VALIDATE_SKIP when no flag', () => {
    expect(parseValidateOptions({ skip: ['credentials,s5cmd', 'resources'] }, {}).skip).toEqual(['credentials', 's5cmd', 'resources']);
    expect(parseValidateOptions({}, { S3DS_VALIDATE_SKIP: 'resources, endpoint-latency' }).skip).toEqual(['resources', 'endpoint-latency']);
    expect(parseValidateOptions({ skip: 's5cmd' }, { S3DS_VALIDATE_SKIP: 'resources' }).skip).toEqual(['s5cmd']);
  });

  it('an unknown check name is exit 2, listing the known ones', () => {
    const r = refusal(() => parseValidateOptions({ skip: ['network'] }, {}));
    expect(r.exitCode).toBe(2);
    expect(r.message).toMatch(/unknown check 'network'; the checks are config, credentials, source-listable/);
  });

  it('minimums from flags and S3DS_VALIDATE_MIN_*; a bad one is exit 2', () => {
    expect(parseValidateOptions({ 'min-memory-bytes': '1GiB', 'min-cpus': '2' }, { S3DS_VALIDATE_MIN_DISK_BYTES: '10GiB' }).minimums).toEqual({
      memoryBytes: GiB,
      diskBytes: 10 * GiB,
      cpus: 2,
    });
    const r = refusal(() => parseValidateOptions({}, { S3DS_VALIDATE_MIN_MEMORY_BYTES: 'heaps' }));
    expect(r.exitCode).toBe(2);
    expect(r.message).toMatch(/S3DS_VALIDATE_MIN_MEMORY_BYTES/);
  });

  it('STS endpoint from the flag, else AWS_ENDPOINT_URL_STS; it must be a URL', () => {
    expect(parseValidateOptions({ 'sts-endpoint-url': 'http://127.0.0.1:5000' }, { AWS_ENDPOINT_URL_STS: 'http://other' }).stsEndpoint).toBe(
      'http://127.0.0.1:5000',
    );
    expect(parseValidateOptions({}, { AWS_ENDPOINT_URL_STS: 'https://sts.eu-west-1.amazonaws.com' }).stsEndpoint).toBe('https://sts.eu-west-1.amazonaws.com');
    expect(parseValidateOptions({}, { AWS_ENDPOINT_URL_STS: ' ' }).stsEndpoint).toBeUndefined();
    expect(refusal(() => parseValidateOptions({ 'sts-endpoint-url': 'sts.local' }, {})).exitCode).toBe(2);
  });

  it('per-check timeout in seconds', () => {
    expect(parseValidateOptions({ 'check-timeout-seconds': '2.5' }, {}).timeoutMs).toBe(2500);
    expect(parseValidateOptions({}, { S3DS_VALIDATE_TIMEOUT_SECONDS: '30' }).timeoutMs).toBe(30_000);
    for (const bad of ['0', '-1', 'soon', '7200']) expect(refusal(() => parseValidateOptions({ 'check-timeout-seconds': bad }, {})).exitCode, bad).toBe(2);
  });
});

describe('parseEstimateOptions', () => {
  it('lists the source when no workload flag is given', () => {
    const o = parseEstimateOptions({}, {});
    expect(o.workload).toBeUndefined();
    expect(o.listConcurrency).toBe(8);
    expect(o.spot).toBe(false);
    expect(o.growth).toBeUndefined();
  });

  it('--objects with --bytes (units allowed), or with --avg-object-bytes, or --bytes with --avg-object-bytes', () => {
    expect(parseEstimateOptions({ objects: '1000000', bytes: '200GiB' }, {}).workload).toEqual({ objects: 1_000_000, bytes: 200 * GiB });
    expect(parseEstimateOptions({ objects: '1000', 'avg-object-bytes': '2MiB' }, {}).workload).toEqual({ objects: 1000, bytes: 1000 * 2 * 1024 ** 2 });
    expect(parseEstimateOptions({ bytes: '10GB', 'avg-object-bytes': '3MB' }, {}).workload).toEqual({ objects: Math.ceil(10e9 / 3e6), bytes: 10e9 });
    expect(parseEstimateOptions({ objects: 10, bytes: 100, 'avg-object-bytes': 50 }, {}).workload).toEqual({ objects: 10, bytes: 100, avgObjectBytes: 50 });
  });

  it('one workload flag alone, or a bad number, is exit 2', () => {
    expect(refusal(() => parseEstimateOptions({ objects: '5' }, {})).message).toMatch(/give --objects with --bytes/);
    expect(refusal(() => parseEstimateOptions({ bytes: '5GiB' }, {})).exitCode).toBe(2);
    expect(refusal(() => parseEstimateOptions({ objects: '1.5', bytes: '1' }, {})).message).toMatch(/--objects must be a whole number/);
    expect(refusal(() => parseEstimateOptions({ objects: 'many', bytes: '1' }, {})).exitCode).toBe(2);
    expect(refusal(() => parseEstimateOptions({ objects: '5', bytes: 'lots' }, {})).message).toMatch(/^--bytes:/);
    expect(refusal(() => parseEstimateOptions({ objects: '5', 'avg-object-bytes': '0' }, {})).exitCode).toBe(2);
  });

  it('growth multipliers: the ones given, the seed defaults for the rest (applied by the estimate)', () => {
    expect(parseEstimateOptions({ 'growth-files': '2', 'growth-size': '1.5', 'growth-frequency': '1.2' }, {}).growth).toEqual({
      fileCount: 2,
      fileSize: 1.5,
      frequency: 1.2,
    });
    expect(parseEstimateOptions({ 'growth-size': '3' }, {}).growth).toEqual({ fileCount: undefined, fileSize: 3, frequency: undefined });
    expect(refusal(() => parseEstimateOptions({ 'growth-files': '0' }, {})).exitCode).toBe(2);
  });

  it('planning knobs and their checks', () => {
    const o = parseEstimateOptions(
      { 'runs-per-month': '30', 'deadline-hours': '2', 'max-workers': '4', 'access-frequency': 'rare', spot: true, 'job-region': 'ap-northeast-1' },
      {},
    );
    expect(o).toMatchObject({ runsPerMonth: 30, deadlineHours: 2, maxWorkers: 4, accessFrequency: 'rare', spot: true, jobRegion: 'ap-northeast-1' });
    expect(parseEstimateOptions({ 'job-region': 'outside-aws' }, {}).jobRegion).toBe('outside-aws');
    expect(parseEstimateOptions({}, { S3DS_CAPACITY_PROVIDER: 'FARGATE_SPOT' }).spot).toBe(true);
    expect(refusal(() => parseEstimateOptions({ 'max-workers': '0' }, {})).exitCode).toBe(2);
    expect(refusal(() => parseEstimateOptions({ 'access-frequency': 'never' }, {})).exitCode).toBe(2);
    expect(refusal(() => parseEstimateOptions({ 'job-region': 'tokyo' }, {})).exitCode).toBe(2);
  });

  it('--max-cost-usd, or S3DS_MAX_COST_USD; NaN from yargs is exit 2', () => {
    expect(parseEstimateOptions({ 'max-cost-usd': 25 }, {}).maxCostUsd).toBe(25);
    expect(parseEstimateOptions({}, { S3DS_MAX_COST_USD: '7.5' }).maxCostUsd).toBe(7.5);
    expect(refusal(() => parseEstimateOptions({ 'max-cost-usd': Number.NaN }, {})).exitCode).toBe(2);
    expect(refusal(() => parseEstimateOptions({}, { S3DS_MAX_COST_USD: '0' })).exitCode).toBe(2);
  });
});

describe('endpoint helpers', () => {
  it('median of odd and even counts, order-free', () => {
    expect(median([9, 1, 5])).toBe(5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it("the S3 endpoint a side's requests go to", () => {
    expect(s3EndpointUrl({ endpoint: 'http://127.0.0.1:9000', region: 'us-east-1' })).toBe('http://127.0.0.1:9000');
    expect(s3EndpointUrl({ region: 'ap-northeast-1' })).toBe('https://s3.ap-northeast-1.amazonaws.com');
    expect(s3EndpointUrl({ region: 'cn-north-1' })).toBe('https://s3.cn-north-1.amazonaws.com.cn');
    expect(s3EndpointUrl({ region: 'us-east-1', accelerate: true })).toBe('https://s3-accelerate.amazonaws.com');
  });
});
