import { describe, expect, it } from 'vitest';
import { TypeTally, typeFolderOf } from '../../../src/plan/type-tally.js';

describe('TypeTally', () => {
  it('names the planned data types in which no source key was selected', () => {
    const t = new TypeTally();
    t.planned([
      { rel: 'option/daily/BVOLIndex/BTCBVOLUSDT/', recursive: true },
      { rel: 'option/daily/EOHSummary/BTCBVOLUSDT/', recursive: true },
      { rel: 'futures/cm/daily/klines/BTCUSDT/1m/', recursive: true, startAfter: 'x' },
      { rel: 'spot/', recursive: false },
    ]);
    t.selected('option/daily/BVOLIndex/BTCBVOLUSDT/BTCBVOLUSDT-BVOLIndex-2024-01-02.zip');
    // A key under no planned type (e.g. reached through a wider unit) counts for none.
    t.selected('spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01-02.zip');
    expect(t.empty()).toEqual(['futures/cm/daily/klines', 'option/daily/EOHSummary']);
  });

  it('reads the type folder of keys and folders, undefined above the type level', () => {
    expect(typeFolderOf('futures/um/monthly/fundingRate/BTCUSDT/BTCUSDT-fundingRate-2024-01.zip')).toBe('futures/um/monthly/fundingRate/');
    expect(typeFolderOf('spot/daily/trades/')).toBe('spot/daily/trades/');
    expect(typeFolderOf('spot/daily/')).toBeUndefined();
  });
});
