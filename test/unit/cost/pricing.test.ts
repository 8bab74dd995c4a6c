import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_PRICING,
  getPricePer1000,
  loadPricingFile,
  parsePricing,
  PRICED_STORAGE_CLASSES,
  PricingError,
  pricesFor,
  putPricePer1000,
} from '../../../src/cost/pricing.js';
import { repoRoot } from '../../helpers/cli.js';

const dir = await mkdtemp(join(tmpdir(), 's3ds-pricing-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

function errorOf(fn: () => unknown): PricingError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PricingError);
    return err as PricingError;
  }
  throw new Error('expected a PricingError');
}

describe('DEFAULT_PRICING', () => {
  it('states its date and covers us-east-1 and ap-northeast-1 completely', () => {
    expect(DEFAULT_PRICING.as_of).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(DEFAULT_PRICING.sources.length).toBeGreaterThan(0);
    for (const region of ['us-east-1', 'ap-northeast-1']) {
      const r = DEFAULT_PRICING.regions[region]!;
      for (const c of PRICED_STORAGE_CLASSES) expect(r.s3_storage_per_gb_month[c], `${region} ${c}`).toBeGreaterThan(0);
      expect(r.fargate.spot_vcpu_hour).toBeLessThan(r.fargate.vcpu_hour);
      expect(r.fargate.spot_gb_hour).toBeLessThan(r.fargate.gb_hour);
    }
  });

  it('holds the published us-east-1 list prices', () => {
    const r = DEFAULT_PRICING.regions['us-east-1']!;
    expect(r.s3_requests).toMatchObject({ put_copy_post_list_per_1000: 0.005, get_and_other_per_1000: 0.0004 });
    expect(r.s3_storage_per_gb_month).toEqual({
      STANDARD: 0.023,
      STANDARD_IA: 0.0125,
      INTELLIGENT_TIERING: 0.023,
      ONEZONE_IA: 0.01,
      GLACIER_IR: 0.004,
      GLACIER: 0.0036,
      DEEP_ARCHIVE: 0.00099,
    });
    expect(r.data_transfer).toEqual({ inter_region_out_per_gb: 0.02, internet_out_per_gb: 0.09 });
    expect(r.fargate).toMatchObject({ vcpu_hour: 0.04048, gb_hour: 0.004445 });
  });

  it('is frozen', () => {
    expect(() => {
      (DEFAULT_PRICING.regions['us-east-1']!.fargate as { vcpu_hour: number }).vcpu_hour = 0;
    }).toThrow();
  });
});

describe('per-class request prices', () => {
  const use1 = DEFAULT_PRICING.regions['us-east-1']!;
  const apn1 = DEFAULT_PRICING.regions['ap-northeast-1']!;
  it('charge more for writes into infrequent-access and archive classes', () => {
    expect(putPricePer1000(use1, 'STANDARD')).toEqual({ price: 0.005, known: true });
    expect(putPricePer1000(use1, 'INTELLIGENT_TIERING')).toEqual({ price: 0.005, known: true });
    expect(putPricePer1000(use1, 'STANDARD_IA')).toEqual({ price: 0.01, known: true });
    expect(putPricePer1000(use1, 'DEEP_ARCHIVE')).toEqual({ price: 0.05, known: true });
    expect(getPricePer1000(use1, 'GLACIER_IR')).toEqual({ price: 0.01, known: true });
  });
  it('say when a class price is not in the table', () => {
    expect(putPricePer1000(apn1, 'GLACIER')).toEqual({ price: 0.0047, known: false });
    expect(putPricePer1000(use1, 'REDUCED_REDUNDANCY')).toEqual({ price: 0.005, known: false });
  });
});

describe('parsePricing', () => {
  it('changes only the prices a file sets for a known region', () => {
    const p = parsePricing({
      as_of: '2026-11-01',
      regions: { 'us-east-1': { fargate: { spot_vcpu_hour: 0.0131 }, s3_storage_per_gb_month: { STANDARD: 0.0229 } } },
    });
    expect(p.as_of).toBe('2026-11-01');
    expect(p.regions['us-east-1']!.fargate).toEqual({ vcpu_hour: 0.04048, gb_hour: 0.004445, spot_vcpu_hour: 0.0131, spot_gb_hour: 0.0013335 });
    expect(p.regions['us-east-1']!.s3_storage_per_gb_month.STANDARD).toBe(0.0229);
    expect(p.regions['us-east-1']!.s3_storage_per_gb_month.GLACIER).toBe(0.0036);
    expect(p.regions['ap-northeast-1']).toEqual(DEFAULT_PRICING.regions['ap-northeast-1']);
    // The defaults are untouched.
    expect(DEFAULT_PRICING.regions['us-east-1']!.fargate.spot_vcpu_hour).toBe(0.012144);
  });

  it('adds per-class prices to a known region', () => {
    const p = parsePricing({ regions: { 'ap-northeast-1': { s3_requests: { put_per_1000_by_class: { GLACIER: 0.06 } } } } });
    expect(putPricePer1000(p.regions['ap-northeast-1']!, 'GLACIER')).toEqual({ price: 0.06, known: true });
    expect(putPricePer1000(p.regions['ap-northeast-1']!, 'STANDARD_IA')).toEqual({ price: 0.01, known: true });
  });

  it('reports every problem at once, with path, value and expectation', () => {
    const e = errorOf(() =>
      parsePricing({
        currency: 'EUR',
        as_of: 'yesterday',
        regions: {
          'us-east-1': {
            fargate: { vcpu_hour: '0.04', gb_hour: -1 },
            data_transfer: { internet_egress_per_gb: 0.09 },
            s3_storage_per_gb_month: { STANDARD_INFREQUENT: 0.01 },
          },
          'eu-west-9': { fargate: { vcpu_hour: 0.04 } },
          Tokyo: {},
        },
      }),
    );
    const text = e.message;
    expect(text).toContain('currency: only "USD" is supported, got "EUR"');
    expect(text).toContain('as_of: expected a date YYYY-MM-DD, got "yesterday"');
    expect(text).toContain('regions.us-east-1.fargate.vcpu_hour: expected a price in USD (a number ≥ 0), got "0.04"');
    expect(text).toContain('regions.us-east-1.fargate.gb_hour: expected a price in USD (a number ≥ 0), got -1');
    expect(text).toContain(
      'regions.us-east-1.data_transfer.internet_egress_per_gb: unknown key (expected one of: inter_region_out_per_gb, internet_out_per_gb)',
    );
    expect(text).toContain('regions.us-east-1.s3_storage_per_gb_month.STANDARD_INFREQUENT: unknown key');
    expect(text).toContain('regions.eu-west-9.s3_requests: missing (a new region needs every price)');
    expect(text).toContain('regions.eu-west-9.fargate.gb_hour: missing');
    expect(text).toContain('regions.Tokyo: "Tokyo" is not an AWS region name');
    expect(e.problems.length).toBeGreaterThanOrEqual(9);
  });

  it('refuses a document that is not an object', () => {
    expect(errorOf(() => parsePricing([1, 2])).message).toContain('expected a JSON object');
  });
});

describe('loadPricingFile', () => {
  it('loads the shipped example, which adds a complete region and overrides others', async () => {
    const p = await loadPricingFile(join(repoRoot, 'config', 'pricing.example.json'));
    expect(Object.keys(p.regions).sort()).toEqual(['ap-northeast-1', 'eu-west-1', 'us-east-1']);
    expect(p.regions['ap-northeast-1']!.fargate.spot_vcpu_hour).toBe(0.0158);
    expect(p.regions['ap-northeast-1']!.fargate.vcpu_hour).toBe(0.05056);
    expect(putPricePer1000(p.regions['ap-northeast-1']!, 'GLACIER').known).toBe(true);
  });

  it('names the file in errors', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{ "regions": { "us-east-1": { "fargate": { "vcpu_hour": null } } } }');
    await expect(loadPricingFile(bad)).rejects.toThrow(
      `pricing file ${bad}: 1 problem\n  regions.us-east-1.fargate.vcpu_hour: expected a price in USD (a number ≥ 0), got null`,
    );
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{ "regions": ');
    await expect(loadPricingFile(broken)).rejects.toThrow(/pricing file .*broken\.json: not valid JSON/);
    await expect(loadPricingFile(join(dir, 'missing.json'))).rejects.toThrow(/cannot read it/);
  });
});

describe('pricesFor', () => {
  it('falls back to us-east-1 for an unknown region, with a warning that says how to fix it', () => {
    const r = pricesFor(DEFAULT_PRICING, 'eu-central-1');
    expect(r.region).toBe('us-east-1');
    expect(r.warning).toContain('no prices for region "eu-central-1"');
    expect(r.warning).toContain('pricing.example.json');
    expect(pricesFor(DEFAULT_PRICING, 'ap-northeast-1').warning).toBeUndefined();
  });
});
