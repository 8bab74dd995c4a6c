import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fitRates, ratesFromReportFile, RatesFileError } from '../../../src/cost/rates.js';

describe('fitRates', () => {
  // A run of 1 KiB objects at 250 objects/s shows 250 KiB/s.
  const measured = { sdk: { objectsPerSecond: 250.123456, mbPerSecond: (250.123456 * 1024) / 1024 ** 2 } };

  it('keeps both rates, to four significant digits, for objects of about the measured size', () => {
    expect(fitRates(measured, 1024)).toEqual({ applied: { sdk: { objectsPerSecond: 250.1, mbPerSecond: 0.2443 } }, notes: [] });
    expect(fitRates(measured, 2048).applied.sdk).toHaveProperty('mbPerSecond');
  });

  it('drops the measured MB/s for objects over twice the measured average, saying why', () => {
    const f = fitRates(measured, 2049);
    expect(f.applied).toEqual({ sdk: { objectsPerSecond: 250.1 } });
    expect(f.notes).toEqual([
      "sdk: the measured run's objects averaged 1.0 KiB, this workload's 2.0 KiB: " +
        'its 0.2443 MB/s was set by the object rate, not bandwidth, so the planning 50 MB/s bounds bytes',
    ]);
  });

  it('nothing measured, nothing applied', () => {
    expect(fitRates({}, 1e6)).toEqual({ applied: {}, notes: [] });
  });
});

describe('ratesFromReportFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 's3ds-rates-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the rates of the engine that did the work from a run report', async () => {
    const path = join(dir, 'report.json');
    await writeFile(path, JSON.stringify({ duration_seconds: 10, engine: 'sdk', engines: { sdk: { objects: 500, bytes: 20 * 1024 ** 2 } } }));
    expect(await ratesFromReportFile(path)).toEqual({ sdk: { objectsPerSecond: 50, mbPerSecond: 2 } });
  });

  it('a missing file or one that is not a run report is a RatesFileError naming the file', async () => {
    const missing = join(dir, 'missing.json');
    await expect(ratesFromReportFile(missing)).rejects.toThrow(RatesFileError);
    await expect(ratesFromReportFile(missing)).rejects.toThrow(`--from-report ${missing}: `);
    const other = join(dir, 'other.json');
    await writeFile(other, JSON.stringify({ engines: { sdk: { objects: 'many' } } }));
    await expect(ratesFromReportFile(other)).rejects.toThrow(/not a run report/);
  });
});
