import { describe, expect, it } from 'vitest';
import { estimateCapacity } from '../../../src/cost/estimate.js';
import { DEFAULT_PRICING } from '../../../src/cost/pricing.js';
import { COST_WARNING_SHARE, costGuard, projectedCost } from '../../../src/cost/guard.js';

describe('costGuard', () => {
  it('no limit: always ok, nothing to say', () => {
    expect(costGuard(1e9, undefined)).toEqual({ ok: true });
    expect(costGuard(0, undefined)).toEqual({ ok: true });
  });

  it('over the limit: refused, saying by how much', () => {
    const g = costGuard(12.5, 10);
    expect(g.ok).toBe(false);
    expect(g.message).toBe(
      'estimated cost $12.50 exceeds --max-cost-usd $10.00 by $2.50 (125% of the limit): ' +
        'narrow the selection (--market, --symbol, --date-from/--date-to), split the run, or raise the limit',
    );
    expect(costGuard(10.000001, 10).ok).toBe(false);
  });

  it('exactly at the limit is within it', () => {
    expect(costGuard(10, 10).ok).toBe(true);
  });

  it(`within but at ${COST_WARNING_SHARE * 100}% or more of the limit: ok, with a warning`, () => {
    expect(costGuard(8, 10)).toEqual({ ok: true, message: 'estimated cost $8.00 is 80% of --max-cost-usd $10.00: close to the limit' });
    expect(costGuard(7.99, 10)).toEqual({ ok: true, message: 'estimated cost $7.99 is within --max-cost-usd $10.00 (80%)' });
    expect(costGuard(0.002, 10).message).toBe('estimated cost $0.00200 is within --max-cost-usd $10.00 (0%)');
  });

  it('a bad estimate or limit never lets a run through', () => {
    expect(() => costGuard(Number.NaN, 10)).toThrow(RangeError);
    expect(() => costGuard(-1, 10)).toThrow(RangeError);
    expect(() => costGuard(1, 0)).toThrow(/--max-cost-usd must be a positive number/);
    expect(() => costGuard(1, -5)).toThrow(RangeError);
    expect(() => costGuard(1, Number.NaN)).toThrow(RangeError);
    expect(() => costGuard(1, Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('projectedCost', () => {
  const estimate = estimateCapacity(
    {
      objectCount: 200_000,
      totalBytes: 40 * 1024 ** 3,
      sourceRegion: 'ap-northeast-1',
      destRegion: 'us-east-1',
      rates: { s5cmd: { objectsPerSecond: 400 }, sdk: { objectsPerSecond: 200 }, stream: { objectsPerSecond: 50, mbPerSecond: 20 } },
    },
    DEFAULT_PRICING,
  );
  const costOf = (engine: string) => estimate.engines.find((e) => e.engine === engine)!.cost;

  it('the recommended engine by default', () => {
    const p = projectedCost(estimate);
    expect(p.engine).toBe(estimate.recommended_engine);
    expect(p.basis).toBe('recommended');
    expect(p.usd).toBe(costOf(p.engine).total_usd);
    expect(p.source_owner_usd).toBe(costOf(p.engine).source_owner_usd);
  });

  it('the engine asked for', () => {
    expect(projectedCost(estimate, 'stream')).toEqual({
      engine: 'stream',
      usd: costOf('stream').total_usd,
      source_owner_usd: costOf('stream').source_owner_usd,
      basis: 'engine',
    });
  });

  it('an engine that was not estimated: the dearest one, so a guard errs high', () => {
    const onlyTwo = { ...estimate, engines: estimate.engines.filter((e) => e.engine !== 's5cmd') };
    const p = projectedCost(onlyTwo, 's5cmd');
    expect(p.basis).toBe('most-expensive');
    expect(p.usd).toBe(Math.max(...onlyTwo.engines.map((e) => e.cost.total_usd)));
  });

  it('feeds costGuard', () => {
    const usd = projectedCost(estimate, 'sdk').usd;
    expect(usd).toBeGreaterThan(0);
    expect(costGuard(usd, usd / 2).ok).toBe(false);
    expect(costGuard(usd, usd * 2).ok).toBe(true);
  });

  it('refuses an estimate without engines', () => {
    expect(() => projectedCost({ ...estimate, engines: [] })).toThrow(RangeError);
  });
});
