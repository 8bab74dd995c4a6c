import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { enginesFor } from '../../../src/cost/estimate.js';

describe('enginesFor', () => {
  const config = (cli: Record<string, unknown>) => loadConfig({ cli: { destination: 's3://dst-bucket/', ...cli }, environ: {} }).config;
  it('follows --engine, --mode and enable_s3_direct_sync as the job does', () => {
    expect(enginesFor(config({}))).toBeUndefined();
    expect(enginesFor(config({ engine: 's5cmd' }))).toEqual(['s5cmd']);
    expect(enginesFor(config({ mode: 'traditional' }))).toEqual(['stream']);
    expect(enginesFor(config({ 's3-direct-sync': 'false' }))).toEqual(['stream']);
    expect(enginesFor(config({ mode: 'direct_sync' }))).toEqual(['s5cmd', 'sdk']);
  });
});
