import { describe, expect, it } from 'vitest';
import { CHECK_NAMES, checksDocument, failedChecks, formatChecks, isCheckName, resultLabel, type CheckResult } from '../../../src/validate/results.js';
import { formatLatency } from '../../../src/units.js';

const results: CheckResult[] = [
  { name: 'config', ok: true, detail: 'schema valid; 2 values set above the defaults by cli\ncli: destination_bucket, destination_prefix' },
  { name: 'credentials', ok: true, skipped: true, detail: 'not verified: no STS' },
  { name: 'source-listable', ok: true, detail: 'listed s3://src/data/: first key data/a.zip', latency_ms: 12.4 },
  {
    name: 'destination-writable',
    ok: false,
    detail: 's3:PutObject on s3://dst/ro/_s3ds-validate/x denied (AccessDenied)',
    hint: 'the credentials need s3:PutObject',
  },
  { name: 'endpoint-latency', ok: true, detail: 'http://h: median 1.5 ms of 3 requests', latency_ms: 1.5 },
];

describe('formatChecks', () => {
  const text = formatChecks(results);
  const lines = text.split('\n');

  it('has a CHECK, RESULT, DETAIL header with aligned columns', () => {
    expect(lines[0]).toMatch(/^CHECK\s+RESULT\s+DETAIL$/);
    const resultCol = lines[0]!.indexOf('RESULT');
    const detailCol = lines[0]!.indexOf('DETAIL');
    // The widest name (destination-writable) plus two spaces decides the first column.
    expect(resultCol).toBe('destination-writable'.length + 2);
    for (const r of results) {
      const row = lines.find((l) => l.startsWith(r.name + ' '))!;
      expect(row, r.name).toBeDefined();
      expect(row.slice(resultCol, detailCol).trim()).toBe(resultLabel(r));
      expect(row.slice(detailCol)).toBe(
        r.detail.split('\n')[0] + (r.latency_ms !== undefined && r.name !== 'endpoint-latency' ? ` (${formatLatency(r.latency_ms)})` : ''),
      );
    }
  });

  it('labels passed, skipped and failed checks', () => {
    expect(lines.find((l) => l.startsWith('config '))).toMatch(/\bok\b/);
    expect(lines.find((l) => l.startsWith('credentials '))).toMatch(/\bskipped\b/);
    expect(lines.find((l) => l.startsWith('destination-writable '))).toMatch(/\bFAIL\b/);
  });

  it('puts further detail lines and the hint under the DETAIL column', () => {
    const detailCol = lines[0]!.indexOf('DETAIL');
    const configRow = lines.findIndex((l) => l.startsWith('config '));
    expect(lines[configRow + 1]).toBe(' '.repeat(detailCol) + 'cli: destination_bucket, destination_prefix');
    const failRow = lines.findIndex((l) => l.startsWith('destination-writable '));
    expect(lines[failRow + 1]).toBe(' '.repeat(detailCol) + 'hint: the credentials need s3:PutObject');
  });

  it("shows a check's latency after its detail, but not twice for endpoint-latency", () => {
    expect(text).toContain('first key data/a.zip (12 ms)');
    expect(text).toContain('median 1.5 ms of 3 requests\n');
  });

  it('ends with counts and the failed names', () => {
    expect(lines[lines.length - 1]).toBe('3 passed, 1 skipped, 1 failed: destination-writable');
    expect(lines[lines.length - 2]).toBe('');
    expect(
      formatChecks(results.filter((r) => r.ok))
        .split('\n')
        .pop(),
    ).toBe('3 passed, 1 skipped, 0 failed');
  });
});

describe('checksDocument and failedChecks', () => {
  it('a skipped check is not a failure', () => {
    expect(failedChecks(results)).toEqual(['destination-writable']);
    const doc = checksDocument(results);
    expect(doc.ok).toBe(false);
    expect(doc.failed).toEqual(['destination-writable']);
    expect(doc.checks).toEqual(results);
    expect(checksDocument(results.filter((r) => r.ok))).toMatchObject({ ok: true, failed: [] });
  });

  it('round-trips through JSON unchanged', () => {
    expect(JSON.parse(JSON.stringify(checksDocument(results)))).toEqual(checksDocument(results));
  });
});

describe('check names', () => {
  it('are the eight checks in report order', () => {
    expect(CHECK_NAMES).toEqual([
      'config',
      'credentials',
      'source-listable',
      'destination-exists',
      'destination-writable',
      's5cmd',
      'endpoint-latency',
      'resources',
    ]);
    expect(isCheckName('s5cmd')).toBe(true);
    expect(isCheckName('S5CMD')).toBe(false);
    expect(isCheckName('network')).toBe(false);
  });

  it('formats latencies below 10 ms with a decimal', () => {
    expect(formatLatency(0.44)).toBe('0.4 ms');
    expect(formatLatency(9.96)).toBe('10.0 ms');
    expect(formatLatency(10.4)).toBe('10 ms');
    expect(formatLatency(1234.5)).toBe('1235 ms');
  });
});
