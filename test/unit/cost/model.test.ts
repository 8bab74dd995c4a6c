import { describe, expect, it } from 'vitest';
import { compareWithTraditional, estimateRunCost, formatCost, traditionalCostFor, traditionalWork, type RunWork } from '../../../src/cost/model.js';
import { GIB } from '../../../src/units.js';
import { DEFAULT_PRICING, parsePricing } from '../../../src/cost/pricing.js';

const P = DEFAULT_PRICING;
const usd = (c: { items: Array<{ item: string; usd: number }> }, name: string) => c.items.find((i) => i.item === name)?.usd;

describe('estimateRunCost, same region, server-side, on-demand (hand-computed)', () => {
  const work: RunWork = {
    listRequests: { source: 1_000, dest: 10 },
    getRequests: { source: 500, dest: 0 },
    headRequests: 0,
    copyRequests: 1_000_000,
    putRequests: 0,
    bytesServerSide: 100 * GIB,
    bytesThroughJob: 0,
    sourceRegion: 'us-east-1',
    destRegion: 'us-east-1',
    storageClass: 'STANDARD',
    storedBytes: 100 * GIB,
    fargate: { vcpu: 1, memoryGb: 2, hours: 10, spot: false },
  };
  const c = estimateRunCost(work, P);

  it('itemises requests, storage and compute, and no transfer within a region', () => {
    expect(usd(c, 'LIST source')).toBeCloseTo(0.005, 10); // 1,000 × $0.005/1000
    expect(usd(c, 'LIST destination')).toBeCloseTo(0.00005, 10);
    expect(usd(c, 'GET source')).toBeCloseTo(0.0002, 10); // 500 × $0.0004/1000
    expect(usd(c, 'COPY into STANDARD')).toBeCloseTo(5, 10); // 1,000,000 × $0.005/1000
    expect(c.items.some((i) => i.category === 'transfer')).toBe(false);
    expect(usd(c, 'STANDARD storage, 1 month')).toBeCloseTo(2.3, 10); // 100 GB × $0.023
    expect(usd(c, 'Fargate vCPU (1 × 1 vCPU)')).toBeCloseTo(0.4048, 10); // 10 h × $0.04048
    expect(usd(c, 'Fargate memory (1 × 2 GB)')).toBeCloseTo(0.0889, 10); // 20 GB-h × $0.004445
  });

  it('totals them', () => {
    expect(c.total_usd).toBeCloseTo(7.79895, 8);
    expect(c.source_owner_usd).toBe(0);
    expect(c.by_category.requests).toBeCloseTo(5.00525, 8);
    expect(c.by_category.storage).toBeCloseTo(2.3, 8);
    expect(c.by_category.compute).toBeCloseTo(0.4937, 8);
    expect(c.by_category.transfer).toBe(0);
    expect(c.warnings).toEqual([]);
    expect(c.pricing_as_of).toBe(P.as_of);
  });
});

describe('cross-region ap-northeast-1 → us-east-1 on Fargate Spot (hand-computed)', () => {
  const work: RunWork = {
    listRequests: { source: 2_000, dest: 0 },
    getRequests: 0,
    headRequests: 0,
    copyRequests: 2_000_000,
    putRequests: 0,
    bytesServerSide: 500 * GIB,
    bytesThroughJob: 0,
    sourceRegion: 'ap-northeast-1',
    destRegion: 'us-east-1',
    storageClass: 'STANDARD',
    storedBytes: 500 * GIB,
    fargate: { vcpu: 2, memoryGb: 4, hours: 5, spot: true, tasks: 2 },
  };

  it('charges the Tokyo inter-region rate for the copied bytes and Spot prices for compute', () => {
    const c = estimateRunCost(work, P);
    expect(usd(c, 'LIST source')).toBeCloseTo(0.0094, 10); // 2,000 × $0.0047/1000 (Tokyo)
    expect(usd(c, 'COPY into STANDARD')).toBeCloseTo(10, 10); // 2,000,000 × $0.005/1000 (us-east-1)
    expect(usd(c, 'server-side copy ap-northeast-1 → us-east-1')).toBeCloseTo(45, 10); // 500 GB × $0.09
    expect(usd(c, 'STANDARD storage, 1 month')).toBeCloseTo(11.5, 10);
    expect(usd(c, 'Fargate Spot vCPU (2 × 2 vCPU)')).toBeCloseTo(0.24288, 10); // 20 vCPU-h × $0.012144
    expect(usd(c, 'Fargate Spot memory (2 × 4 GB)')).toBeCloseTo(0.05334, 10); // 40 GB-h × $0.0013335
    expect(c.total_usd).toBeCloseTo(66.80562, 8);
  });

  it("leaves the source owner's charges out of our total for a public, non-Requester-Pays source", () => {
    const c = estimateRunCost({ ...work, sourceBucketOwnerPays: true }, P);
    expect(c.total_usd).toBeCloseTo(21.79622, 8);
    expect(c.source_owner_usd).toBeCloseTo(45.0094, 8);
    expect(
      c.items
        .filter((i) => i.billed_to === 'source-owner')
        .map((i) => i.item)
        .sort(),
    ).toEqual(['LIST source', 'server-side copy ap-northeast-1 → us-east-1']);
  });

  it('download+upload of the same run: a GET per object, PUTs, the bytes through the job, longer compute', () => {
    const t = traditionalCostFor(work, P, { fargateHours: 12 });
    expect(usd(t, 'GET source')).toBeCloseTo(0.74, 10); // 2,000,000 × $0.00037/1000
    expect(usd(t, 'PUT into STANDARD')).toBeCloseTo(10, 10);
    expect(usd(t, 'COPY into STANDARD')).toBeUndefined();
    expect(usd(t, 'download ap-northeast-1 → us-east-1')).toBeCloseTo(45, 10);
    expect(t.items.some((i) => i.item.startsWith('upload'))).toBe(false); // the job runs in the destination region
    expect(usd(t, 'Fargate Spot vCPU (2 × 2 vCPU)')).toBeCloseTo(0.582912, 10); // 48 vCPU-h
    expect(usd(t, 'Fargate Spot memory (2 × 4 GB)')).toBeCloseTo(0.128016, 10); // 96 GB-h
    expect(t.total_usd).toBeCloseTo(67.960328, 8);
    const cmp = compareWithTraditional(work, P, { traditionalFargateHours: 12 });
    expect(cmp.savings_usd).toBeCloseTo(67.960328 - 66.80562, 8);
    expect(cmp.savings_percent).toBeCloseTo((cmp.savings_usd / 67.960328) * 100, 8);
  });
});

describe('where the job runs decides what download+upload pays', () => {
  const base: RunWork = {
    listRequests: 0,
    getRequests: 0,
    headRequests: 0,
    copyRequests: 1000,
    putRequests: 0,
    bytesServerSide: 10 * GIB,
    bytesThroughJob: 0,
    sourceRegion: 'us-east-1',
    destRegion: 'us-east-1',
    storageClass: 'STANDARD',
    storedBytes: 0,
  };
  it('same region, job in it: no transfer at all', () => {
    const t = traditionalCostFor(base, P);
    expect(t.by_category.transfer).toBe(0);
    expect(t.total_usd).toBeCloseTo((1000 * 0.0004) / 1000 + (1000 * 0.005) / 1000, 10);
  });
  it('job outside AWS: internet egress for every byte, upload free', () => {
    const t = traditionalCostFor({ ...base, jobRegion: 'outside-aws' }, P);
    expect(usd(t, 'download us-east-1 → internet')).toBeCloseTo(0.9, 10); // 10 GB × $0.09
    expect(t.by_category.transfer).toBeCloseTo(0.9, 10);
  });
  it('job in the source region of a cross-region copy: the upload leg crosses regions', () => {
    const t = traditionalCostFor({ ...base, sourceRegion: 'ap-northeast-1', jobRegion: 'ap-northeast-1' }, P);
    expect(usd(t, 'upload ap-northeast-1 → us-east-1')).toBeCloseTo(0.9, 10); // 10 GB × $0.09 out of Tokyo
    expect(t.items.some((i) => i.item.startsWith('download'))).toBe(false);
  });
  it('traditionalWork moves server-side bytes and copies onto the job', () => {
    const w = traditionalWork({ ...base, copiedObjects: 800, putRequests: 5 });
    expect(w).toMatchObject({ copyRequests: 0, putRequests: 1005, bytesServerSide: 0, bytesThroughJob: 10 * GIB, getRequests: { source: 800, dest: 0 } });
  });
});

describe('storage classes, monitoring and warnings', () => {
  const base: RunWork = {
    listRequests: 0,
    getRequests: { source: 0, dest: 2000 },
    headRequests: { source: 0, dest: 1000 },
    copyRequests: 10_000,
    putRequests: 0,
    bytesServerSide: 0,
    bytesThroughJob: 0,
    sourceRegion: 'us-east-1',
    destRegion: 'us-east-1',
    storageClass: 'STANDARD_IA',
    storedBytes: 1000 * GIB,
    storageMonths: 3,
  };
  it('prices writes, reads and storage by class', () => {
    const c = estimateRunCost(base, P);
    expect(usd(c, 'COPY into STANDARD_IA')).toBeCloseTo(0.1, 10); // 10,000 × $0.01/1000
    expect(usd(c, 'GET destination')).toBeCloseTo(0.002, 10); // 2,000 × $0.001/1000
    expect(usd(c, 'HEAD destination')).toBeCloseTo(0.001, 10);
    expect(usd(c, 'STANDARD_IA storage, 3 months')).toBeCloseTo(37.5, 10); // 3,000 GB-months × $0.0125
    expect(c.warnings).toEqual([]);
  });
  it('adds the Intelligent-Tiering monitoring fee', () => {
    const c = estimateRunCost({ ...base, storageClass: 'INTELLIGENT_TIERING', monitoredObjects: 4_000_000, storageMonths: 1 }, P);
    expect(usd(c, 'Intelligent-Tiering monitoring')).toBeCloseTo(10, 10); // 4,000,000 × $0.0025/1000
  });
  it('warns when a price is missing instead of guessing silently', () => {
    const c = estimateRunCost({ ...base, destRegion: 'ap-northeast-1', storageClass: 'GLACIER', getRequests: 0, headRequests: 0 }, P);
    expect(c.warnings.join('\n')).toMatch(/no PUT\/COPY request price for GLACIER/);
    const pricedFile = parsePricing({ regions: { 'ap-northeast-1': { s3_requests: { put_per_1000_by_class: { GLACIER: 0.06 } } } } });
    const c2 = estimateRunCost({ ...base, destRegion: 'ap-northeast-1', storageClass: 'GLACIER', getRequests: 0, headRequests: 0 }, pricedFile);
    expect(c2.warnings).toEqual([]);
    expect(usd(c2, 'COPY into GLACIER')).toBeCloseTo(0.6, 10);
    const unknown = estimateRunCost({ ...base, destRegion: 'eu-central-1' }, P);
    expect(unknown.warnings.join('\n')).toContain('no prices for region "eu-central-1"');
  });
  it('formats a readable breakdown', () => {
    const text = formatCost(
      estimateRunCost({ ...base, sourceRegion: 'ap-northeast-1', getRequests: { source: 5000, dest: 0 }, sourceBucketOwnerPays: true }, P),
    );
    expect(text).toMatch(/^Cost estimate \(USD, prices as of \d{4}-\d{2}-\d{2}\): \$37\.60/);
    expect(text).toContain('COPY into STANDARD_IA: 10,000 requests × 0.01/1000 = $0.10');
    expect(text).toContain('(billed to the source bucket owner)');
  });
});
