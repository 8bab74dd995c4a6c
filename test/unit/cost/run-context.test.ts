import { describe, expect, it } from 'vitest';
import { sourceOwnerPays } from '../../../src/cost/run-context.js';
import { effectiveMode } from '../../../src/engines/select.js';

describe('sourceOwnerPays', () => {
  it('an unsigned source or the public Binance archive: the owner pays for its requests', () => {
    expect(sourceOwnerPays({ source_no_sign_request: true, source_bucket: 'mine' })).toBe(true);
    expect(sourceOwnerPays({ source_no_sign_request: false, source_bucket: 'data.binance.vision' })).toBe(true);
    expect(sourceOwnerPays({ source_no_sign_request: false, source_bucket: 'mine' })).toBe(false);
  });
});

describe('effectiveMode', () => {
  it('enable_s3_direct_sync=false means traditional, whatever operation_mode says', () => {
    expect(effectiveMode({ enable_s3_direct_sync: true, operation_mode: 'direct_sync' })).toBe('direct_sync');
    expect(effectiveMode({ enable_s3_direct_sync: true, operation_mode: 'auto' })).toBe('auto');
    expect(effectiveMode({ enable_s3_direct_sync: false, operation_mode: 'direct_sync' })).toBe('traditional');
  });
});
