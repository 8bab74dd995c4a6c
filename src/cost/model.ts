/**
 * What a run costs (pure): S3 requests, data transfer, storage and Fargate compute, itemised, from
 * plain counts and a pricing table (pricing.ts).
 *
 * Fixes to the seed's calculate_transfer_costs:
 * - A server-side copy is one COPY request (PUT tier) on the destination; there is no GET of the
 *   object, and within a region no data transfer at all. Across regions the bytes are billed as
 *   inter-region transfer out of the source region (not internet egress).
 * - Download+upload pays a GET per object and a PUT per object or part, and its bytes cross the
 *   network on the job's path: free when the job runs in the source region and writes into the same
 *   region, inter-region when it runs in another region, internet egress when it runs outside AWS.
 *   The seed charged internet egress for every byte whatever the placement.
 * - Compute is what the job's tasks run for, from measured or estimated hours, not "40% less".
 * - Who pays: requests and transfer out of the source bucket are billed to the source bucket's
 *   owner unless it is Requester Pays. For a public archive such as data.binance.vision (not
 *   Requester Pays) pass `sourceBucketOwnerPays: true`: those items are then listed but not added
 *   to the total. By default everything is counted (own buckets, or Requester Pays).
 */
import { getPricePer1000, isPricedStorageClass, type PricingTable, pricesFor, putPricePer1000, type RegionPrices } from './pricing.js';
import { formatUsd, GIB } from '../units.js';

export interface RequestSides {
  source: number;
  dest: number;
}

export interface RunWork {
  /** ListObjectsV2 pages. A plain number is priced as destination requests paid by us. */
  listRequests: number | RequestSides;
  /** GetObject requests (streamed copies read the source; verification may read either side). */
  getRequests: number | RequestSides;
  /** HeadObject requests. */
  headRequests: number | RequestSides;
  /** CopyObject, UploadPartCopy and the Create/Complete of multipart copies, on the destination. */
  copyRequests: number;
  /** PutObject, UploadPart and the Create/Complete of multipart uploads, on the destination. */
  putRequests: number;
  /** Bytes copied server-side: they never pass through the job. */
  bytesServerSide: number;
  /** Bytes downloaded by the job and uploaded again. */
  bytesThroughJob: number;
  sourceRegion: string;
  destRegion: string;
  /** Default: the regions differ. */
  crossRegion?: boolean;
  /** Where the job runs: an AWS region, or "outside-aws". Default: the destination region. */
  jobRegion?: string;
  storageClass: string;
  /** Bytes stored at the destination (billable: see estimate.ts for per-object minimums). */
  storedBytes: number;
  /** Months of storage to count. Default 1. */
  storageMonths?: number;
  /** Objects monitored by S3 Intelligent-Tiering (those ≥ 128 KB), for its per-object fee. */
  monitoredObjects?: number;
  fargate?: { vcpu: number; memoryGb: number; hours: number; spot: boolean; tasks?: number };
  /** The source bucket is someone else's and not Requester Pays: its charges are not ours. */
  sourceBucketOwnerPays?: boolean;
  /** Objects copied (traditionalCostFor needs one GET per object). Default: copyRequests. */
  copiedObjects?: number;
}

export type CostCategory = 'requests' | 'transfer' | 'storage' | 'compute';
export type Payer = 'us' | 'source-owner';

export interface CostItem {
  category: CostCategory;
  item: string;
  quantity: number;
  unit: string;
  unit_price_usd: number;
  usd: number;
  billed_to: Payer;
}

export interface CostEstimate {
  currency: 'USD';
  pricing_as_of: string;
  items: CostItem[];
  /** What we pay. */
  total_usd: number;
  /** Charges that fall on the source bucket's owner (0 unless sourceBucketOwnerPays). */
  source_owner_usd: number;
  by_category: Record<CostCategory, number>;
  warnings: string[];
}

const OUTSIDE_AWS = 'outside-aws';

function sides(v: number | RequestSides): RequestSides {
  return typeof v === 'number' ? { source: 0, dest: v } : v;
}

/** The items priced so far and the warnings (each said once), with the prices of a region. */
interface Bill {
  items: CostItem[];
  warnings: string[];
  add(category: CostCategory, item: string, quantity: number, unit: string, unitPrice: number, perUnits: number, billedTo: Payer): void;
  warn(warning: string): void;
  region(name: string): RegionPrices;
}

function newBill(pricing: PricingTable): Bill {
  const bill: Bill = {
    items: [],
    warnings: [],
    add(category, item, quantity, unit, unitPrice, perUnits, billedTo) {
      if (!(quantity > 0)) return;
      bill.items.push({ category, item, quantity, unit, unit_price_usd: unitPrice, usd: (quantity / perUnits) * unitPrice, billed_to: billedTo });
    },
    warn(warning) {
      if (!bill.warnings.includes(warning)) bill.warnings.push(warning);
    },
    region(name) {
      const r = pricesFor(pricing, name);
      if (r.warning) bill.warn(r.warning);
      return r.prices;
    },
  };
  return bill;
}

function addRequests(bill: Bill, work: RunWork, src: RegionPrices, dst: RegionPrices, sourcePayer: Payer): void {
  const cls = work.storageClass;
  const classWarning = (what: string, known: boolean) => {
    if (!known) bill.warn(`no ${what} request price for ${cls} in the pricing table; used the Standard price (an underestimate). Supply it in a pricing file.`);
  };
  const list = sides(work.listRequests);
  const get = sides(work.getRequests);
  const head = sides(work.headRequests);
  bill.add('requests', 'LIST source', list.source, 'requests', src.s3_requests.put_copy_post_list_per_1000, 1000, sourcePayer);
  bill.add('requests', 'LIST destination', list.dest, 'requests', dst.s3_requests.put_copy_post_list_per_1000, 1000, 'us');
  bill.add('requests', 'GET source', get.source, 'requests', src.s3_requests.get_and_other_per_1000, 1000, sourcePayer);
  bill.add('requests', 'HEAD source', head.source, 'requests', src.s3_requests.get_and_other_per_1000, 1000, sourcePayer);
  const destGet = getPricePer1000(dst, cls);
  if (get.dest > 0 || head.dest > 0) classWarning('GET', destGet.known);
  bill.add('requests', 'GET destination', get.dest, 'requests', destGet.price, 1000, 'us');
  bill.add('requests', 'HEAD destination', head.dest, 'requests', destGet.price, 1000, 'us');
  const put = putPricePer1000(dst, cls);
  if (work.copyRequests > 0 || work.putRequests > 0) classWarning('PUT/COPY', put.known);
  bill.add('requests', `COPY into ${cls}`, work.copyRequests, 'requests', put.price, 1000, 'us');
  bill.add('requests', `PUT into ${cls}`, work.putRequests, 'requests', put.price, 1000, 'us');
}

function addTransfer(bill: Bill, work: RunWork, src: RegionPrices, sourcePayer: Payer): void {
  const jobRegion = work.jobRegion ?? work.destRegion;
  const cross = work.crossRegion ?? work.sourceRegion !== work.destRegion;
  if (cross)
    bill.add(
      'transfer',
      `server-side copy ${work.sourceRegion} → ${work.destRegion}`,
      work.bytesServerSide / GIB,
      'GB',
      src.data_transfer.inter_region_out_per_gb,
      1,
      sourcePayer,
    );
  if (!(work.bytesThroughJob > 0)) return;
  const gb = work.bytesThroughJob / GIB;
  // Leg 1: source bucket → job.
  if (jobRegion === OUTSIDE_AWS)
    bill.add('transfer', `download ${work.sourceRegion} → internet`, gb, 'GB', src.data_transfer.internet_out_per_gb, 1, sourcePayer);
  else if (jobRegion !== work.sourceRegion)
    bill.add('transfer', `download ${work.sourceRegion} → ${jobRegion}`, gb, 'GB', src.data_transfer.inter_region_out_per_gb, 1, sourcePayer);
  // Leg 2: job → destination bucket (data into AWS, and within a region, is free).
  if (jobRegion !== OUTSIDE_AWS && jobRegion !== work.destRegion) {
    bill.add('transfer', `upload ${jobRegion} → ${work.destRegion}`, gb, 'GB', bill.region(jobRegion).data_transfer.inter_region_out_per_gb, 1, 'us');
  }
}

function addStorage(bill: Bill, work: RunWork, dst: RegionPrices): void {
  const cls = work.storageClass;
  const months = work.storageMonths ?? 1;
  if (!isPricedStorageClass(cls)) bill.warnings.push(`no storage price for class ${cls}; used STANDARD's`);
  const storagePrice = dst.s3_storage_per_gb_month[isPricedStorageClass(cls) ? cls : 'STANDARD'];
  bill.add('storage', `${cls} storage, ${months} month${months === 1 ? '' : 's'}`, (work.storedBytes / GIB) * months, 'GB-months', storagePrice, 1, 'us');
  if (cls === 'INTELLIGENT_TIERING' && work.monitoredObjects) {
    bill.add(
      'storage',
      'Intelligent-Tiering monitoring',
      work.monitoredObjects * months,
      'object-months',
      dst.intelligent_tiering_monitoring_per_1000_objects ?? 0,
      1000,
      'us',
    );
  }
}

function addCompute(bill: Bill, work: RunWork): void {
  const f = work.fargate;
  if (!f || !(f.hours > 0)) return;
  const jobRegion = work.jobRegion ?? work.destRegion;
  if (jobRegion === OUTSIDE_AWS) {
    bill.warnings.push('the job runs outside AWS: no Fargate cost counted');
    return;
  }
  const fp = bill.region(jobRegion).fargate;
  const tasks = f.tasks ?? 1;
  const label = f.spot ? 'Fargate Spot' : 'Fargate';
  bill.add('compute', `${label} vCPU (${tasks} × ${f.vcpu} vCPU)`, tasks * f.vcpu * f.hours, 'vCPU-hours', f.spot ? fp.spot_vcpu_hour : fp.vcpu_hour, 1, 'us');
  bill.add(
    'compute',
    `${label} memory (${tasks} × ${f.memoryGb} GB)`,
    tasks * f.memoryGb * f.hours,
    'GB-hours',
    f.spot ? fp.spot_gb_hour : fp.gb_hour,
    1,
    'us',
  );
}

export function estimateRunCost(work: RunWork, pricing: PricingTable): CostEstimate {
  const bill = newBill(pricing);
  const src = bill.region(work.sourceRegion);
  const dst = bill.region(work.destRegion);
  const sourcePayer: Payer = work.sourceBucketOwnerPays ? 'source-owner' : 'us';
  addRequests(bill, work, src, dst, sourcePayer);
  addTransfer(bill, work, src, sourcePayer);
  addStorage(bill, work, dst);
  addCompute(bill, work);

  const by_category: Record<CostCategory, number> = { requests: 0, transfer: 0, storage: 0, compute: 0 };
  let total = 0;
  let sourceOwner = 0;
  for (const i of bill.items) {
    if (i.billed_to === 'us') {
      total += i.usd;
      by_category[i.category] += i.usd;
    } else {
      sourceOwner += i.usd;
    }
  }
  return {
    currency: 'USD',
    pricing_as_of: pricing.as_of,
    items: bill.items,
    total_usd: total,
    source_owner_usd: sourceOwner,
    by_category,
    warnings: bill.warnings,
  };
}

/**
 * The same work done by download and upload: a GET per object instead of nothing, PUTs instead of
 * COPYs, every byte through the job, and the compute that takes (`fargateHours`, default the same
 * hours as the given work, a lower bound since streaming is slower).
 */
export function traditionalWork(work: RunWork, opts: { fargateHours?: number } = {}): RunWork {
  const objects = work.copiedObjects ?? work.copyRequests;
  const get = sides(work.getRequests);
  return {
    ...work,
    getRequests: { source: get.source + objects, dest: get.dest },
    copyRequests: 0,
    putRequests: work.putRequests + work.copyRequests,
    bytesThroughJob: work.bytesThroughJob + work.bytesServerSide,
    bytesServerSide: 0,
    ...(work.fargate ? { fargate: { ...work.fargate, hours: opts.fargateHours ?? work.fargate.hours } } : {}),
  };
}

export function traditionalCostFor(work: RunWork, pricing: PricingTable, opts: { fargateHours?: number } = {}): CostEstimate {
  return estimateRunCost(traditionalWork(work, opts), pricing);
}

export interface CostComparison {
  direct: CostEstimate;
  traditional: CostEstimate;
  savings_usd: number;
  savings_percent: number;
}

/** The seed's direct-vs-traditional analysis, with the corrected model. */
export function compareWithTraditional(work: RunWork, pricing: PricingTable, opts: { traditionalFargateHours?: number } = {}): CostComparison {
  const direct = estimateRunCost(work, pricing);
  const traditional = traditionalCostFor(work, pricing, { fargateHours: opts.traditionalFargateHours });
  const savings = traditional.total_usd - direct.total_usd;
  return { direct, traditional, savings_usd: savings, savings_percent: traditional.total_usd > 0 ? (savings / traditional.total_usd) * 100 : 0 };
}

export function formatCost(c: CostEstimate): string {
  const lines = [`Cost estimate (USD, prices as of ${c.pricing_as_of}): ${formatUsd(c.total_usd)}`];
  for (const i of c.items) {
    const qty = i.unit === 'requests' || i.unit === 'object-months' ? Math.round(i.quantity).toLocaleString('en-US') : i.quantity.toFixed(3);
    lines.push(
      `  ${i.category.padEnd(8)} ${i.item}: ${qty} ${i.unit} × ` +
        `${i.unit_price_usd}${i.unit === 'requests' || i.unit === 'object-months' ? '/1000' : ''} = ` +
        `${formatUsd(i.usd)}${i.billed_to === 'source-owner' ? ' (billed to the source bucket owner)' : ''}`,
    );
  }
  if (c.source_owner_usd > 0) lines.push(`  not ours: ${formatUsd(c.source_owner_usd)} billed to the source bucket owner`);
  for (const w of c.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}
