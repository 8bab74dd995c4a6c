/**
 * Unit prices for cost estimates: S3 requests, storage and data transfer, and Fargate compute, per
 * region, overridable by a JSON pricing file (see config/pricing.example.json).
 *
 * Defaults are public AWS on-demand list prices in USD:
 * - S3 (aws.amazon.com/s3/pricing): us-east-1 figures match the AWS Price List API (service
 *   AmazonS3, effective 2025-10-01, retrieved 2025-10-28); ap-northeast-1 from the same public page.
 *   Storage is the first tier (first 50 TB/month); "GB" is 2^30 bytes as AWS bills it.
 *   Requests: PUT, COPY, POST and LIST are one tier, GET, HEAD and all other requests another;
 *   the infrequent-access and archive classes charge more for requests into them (per-class maps).
 * - Data transfer out of S3 (same page): to another AWS region, and to the internet at the first
 *   paid tier (up to 10 TB/month; the 100 GB/month free allowance is ignored: simplified).
 *   Transfers in, and within a region (including a same-region COPY), are free.
 * - Fargate (aws.amazon.com/fargate/pricing), Linux/x86, per vCPU-hour and GB-hour; us-east-1
 *   on-demand as listed in March 2026. Fargate Spot prices float (AWS: "up to 70% off"); the
 *   defaults assume 70% off on-demand, which matches observed Spot prices; put the live figure in a
 *   pricing file when it matters.
 * Prices change: an estimate states the `as_of` date of the table it used.
 */
import { readFile } from 'node:fs/promises';

export const PRICED_STORAGE_CLASSES = ['STANDARD', 'STANDARD_IA', 'INTELLIGENT_TIERING', 'ONEZONE_IA', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE'] as const;
export type PricedStorageClass = (typeof PRICED_STORAGE_CLASSES)[number];

export interface RegionPrices {
  s3_requests: {
    /** PUT, COPY, POST, LIST into S3 Standard, per 1,000 requests. */
    put_copy_post_list_per_1000: number;
    /** GET, HEAD and all other requests on S3 Standard, per 1,000 requests. */
    get_and_other_per_1000: number;
    /** Classes whose PUT/COPY/POST (and lifecycle transition) requests cost more than Standard's. */
    put_per_1000_by_class?: Partial<Record<PricedStorageClass, number>>;
    /** Classes whose GET/HEAD requests cost more than Standard's. */
    get_per_1000_by_class?: Partial<Record<PricedStorageClass, number>>;
  };
  s3_storage_per_gb_month: Record<PricedStorageClass, number>;
  /** S3 Intelligent-Tiering monitoring and automation, per 1,000 objects (≥ 128 KB) per month. */
  intelligent_tiering_monitoring_per_1000_objects?: number;
  data_transfer: {
    /** Out of this region's S3 to another AWS region (also a cross-region COPY), per GB. */
    inter_region_out_per_gb: number;
    /** Out of this region to the internet, first paid tier, per GB. */
    internet_out_per_gb: number;
  };
  fargate: {
    vcpu_hour: number;
    gb_hour: number;
    spot_vcpu_hour: number;
    spot_gb_hour: number;
  };
}

export interface PricingTable {
  currency: 'USD';
  /** Date (YYYY-MM-DD) the prices were taken from the public price lists. */
  as_of: string;
  sources: string[];
  notes: string[];
  regions: Record<string, RegionPrices>;
}

export const DEFAULT_PRICING: PricingTable = deepFreeze({
  currency: 'USD',
  as_of: '2025-10-28',
  sources: [
    'https://aws.amazon.com/s3/pricing/ (us-east-1 also via the AWS Price List API, AmazonS3, effective 2025-10-01)',
    'https://aws.amazon.com/fargate/pricing/ (Linux/x86; us-east-1 on-demand unchanged as of 2026-03)',
  ],
  notes: [
    'Storage: first 50 TB/month tier. Internet egress: first paid tier (up to 10 TB/month), free allowance ignored.',
    'Fargate Spot floats; the defaults assume 70% off on-demand. Override with the live Spot table when it matters.',
    'GLACIER and DEEP_ARCHIVE request prices for ap-northeast-1 are not in the defaults: ' +
      'estimates warn and use the Standard request price unless a pricing file supplies them.',
  ],
  regions: {
    'us-east-1': {
      s3_requests: {
        put_copy_post_list_per_1000: 0.005,
        get_and_other_per_1000: 0.0004,
        put_per_1000_by_class: { STANDARD_IA: 0.01, ONEZONE_IA: 0.01, GLACIER_IR: 0.02, GLACIER: 0.03, DEEP_ARCHIVE: 0.05 },
        get_per_1000_by_class: { STANDARD_IA: 0.001, ONEZONE_IA: 0.001, GLACIER_IR: 0.01 },
      },
      s3_storage_per_gb_month: {
        STANDARD: 0.023,
        STANDARD_IA: 0.0125,
        INTELLIGENT_TIERING: 0.023,
        ONEZONE_IA: 0.01,
        GLACIER_IR: 0.004,
        GLACIER: 0.0036,
        DEEP_ARCHIVE: 0.00099,
      },
      intelligent_tiering_monitoring_per_1000_objects: 0.0025,
      data_transfer: { inter_region_out_per_gb: 0.02, internet_out_per_gb: 0.09 },
      fargate: { vcpu_hour: 0.04048, gb_hour: 0.004445, spot_vcpu_hour: 0.012144, spot_gb_hour: 0.0013335 },
    },
    'ap-northeast-1': {
      s3_requests: {
        put_copy_post_list_per_1000: 0.0047,
        get_and_other_per_1000: 0.00037,
        put_per_1000_by_class: { STANDARD_IA: 0.01, ONEZONE_IA: 0.01, GLACIER_IR: 0.02 },
        get_per_1000_by_class: { STANDARD_IA: 0.001, ONEZONE_IA: 0.001, GLACIER_IR: 0.01 },
      },
      s3_storage_per_gb_month: {
        STANDARD: 0.025,
        STANDARD_IA: 0.0138,
        INTELLIGENT_TIERING: 0.025,
        ONEZONE_IA: 0.011,
        GLACIER_IR: 0.005,
        GLACIER: 0.0045,
        DEEP_ARCHIVE: 0.002,
      },
      intelligent_tiering_monitoring_per_1000_objects: 0.0025,
      data_transfer: { inter_region_out_per_gb: 0.09, internet_out_per_gb: 0.114 },
      fargate: { vcpu_hour: 0.05056, gb_hour: 0.00553, spot_vcpu_hour: 0.015168, spot_gb_hour: 0.001659 },
    },
  },
});

export class PricingError extends Error {
  readonly problems: readonly string[];
  constructor(message: string, problems: readonly string[] = []) {
    super(problems.length > 0 ? `${message}\n${problems.map((p) => `  ${p}`).join('\n')}` : message);
    this.name = 'PricingError';
    this.problems = problems;
  }
}

type Json = unknown;

/**
 * Validates a pricing document and lays it over `base` (the defaults): a file may change single
 * prices of a known region, or add a region, which must then be complete. Every problem is reported
 * at once, with its path, the value found and what is expected.
 */
export function parsePricing(doc: Json, base: PricingTable = DEFAULT_PRICING, origin = 'pricing file'): PricingTable {
  const problems: string[] = [];
  if (!isObject(doc)) throw new PricingError(`${origin}: expected a JSON object with "regions"`, [`(root): got ${describe(doc)}`]);
  checkKeys(doc, ['currency', 'as_of', 'sources', 'notes', 'regions', '$schema', 'comment'], '', problems);
  if (doc.currency !== undefined && doc.currency !== 'USD') problems.push(`currency: only "USD" is supported, got ${describe(doc.currency)}`);
  if (doc.as_of !== undefined && (typeof doc.as_of !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(doc.as_of) || Number.isNaN(Date.parse(doc.as_of)))) {
    problems.push(`as_of: expected a date YYYY-MM-DD, got ${describe(doc.as_of)}`);
  }
  for (const k of ['sources', 'notes'] as const) {
    if (doc[k] !== undefined && !(Array.isArray(doc[k]) && (doc[k] as unknown[]).every((s) => typeof s === 'string')))
      problems.push(`${k}: expected an array of strings, got ${describe(doc[k])}`);
  }
  const out: PricingTable = structuredClone(base) as PricingTable;
  if (doc.regions !== undefined && !isObject(doc.regions))
    problems.push(`regions: expected an object keyed by region (e.g. "us-east-1"), got ${describe(doc.regions)}`);
  const regions = isObject(doc.regions) ? doc.regions : {};
  for (const [region, r] of Object.entries(regions)) {
    const at = `regions.${region}`;
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) problems.push(`${at}: "${region}" is not an AWS region name like "us-east-1"`);
    if (!isObject(r)) {
      problems.push(`${at}: expected an object, got ${describe(r)}`);
      continue;
    }
    const existing = out.regions[region];
    const merged = mergeRegion(existing, r, at, problems);
    if (!existing) requireComplete(merged, at, problems);
    out.regions[region] = merged as unknown as RegionPrices;
  }
  if (problems.length > 0) throw new PricingError(`${origin}: ${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}`, problems);
  if (typeof doc.as_of === 'string') out.as_of = doc.as_of;
  if (Array.isArray(doc.sources)) out.sources = doc.sources as string[];
  if (Array.isArray(doc.notes)) out.notes = doc.notes as string[];
  return deepFreeze(out);
}

/** Reads and validates a pricing file, laid over the defaults. Throws PricingError with every problem. */
export async function loadPricingFile(path: string, base: PricingTable = DEFAULT_PRICING): Promise<PricingTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new PricingError(`pricing file ${path}: cannot read it (${(err as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new PricingError(`pricing file ${path}: not valid JSON (${(err as Error).message})`);
  }
  return parsePricing(doc, base, `pricing file ${path}`);
}

/** A region's prices; an unknown region falls back to us-east-1's, with a warning to pass on. */
export function pricesFor(table: PricingTable, region: string): { prices: RegionPrices; region: string; warning?: string } {
  const p = table.regions[region];
  if (p) return { prices: p, region };
  const fallback = table.regions['us-east-1'] ? 'us-east-1' : Object.keys(table.regions)[0];
  if (!fallback) throw new PricingError('the pricing table has no regions');
  return {
    prices: table.regions[fallback]!,
    region: fallback,
    warning:
      `no prices for region "${region}" (known: ${Object.keys(table.regions).join(', ')}); ` +
      `used ${fallback}'s. Add it in a pricing file (see config/pricing.example.json).`,
  };
}

export function isPricedStorageClass(c: string): c is PricedStorageClass {
  return (PRICED_STORAGE_CLASSES as readonly string[]).includes(c);
}

/** PUT/COPY/POST price per 1,000 for objects written into `storageClass`. */
export function putPricePer1000(p: RegionPrices, storageClass: string): { price: number; known: boolean } {
  const byClass = isPricedStorageClass(storageClass) ? p.s3_requests.put_per_1000_by_class?.[storageClass] : undefined;
  if (byClass !== undefined) return { price: byClass, known: true };
  // Standard-priced classes need no entry.
  const standardPriced = storageClass === 'STANDARD' || storageClass === 'INTELLIGENT_TIERING';
  return { price: p.s3_requests.put_copy_post_list_per_1000, known: standardPriced };
}

/** GET/HEAD price per 1,000 for objects stored in `storageClass`. */
export function getPricePer1000(p: RegionPrices, storageClass: string): { price: number; known: boolean } {
  const byClass = isPricedStorageClass(storageClass) ? p.s3_requests.get_per_1000_by_class?.[storageClass] : undefined;
  if (byClass !== undefined) return { price: byClass, known: true };
  const standardPriced = storageClass === 'STANDARD' || storageClass === 'INTELLIGENT_TIERING';
  return { price: p.s3_requests.get_and_other_per_1000, known: standardPriced };
}

// ---- validation helpers ----

const REGION_SHAPE = {
  s3_requests: {
    put_copy_post_list_per_1000: 'price',
    get_and_other_per_1000: 'price',
    put_per_1000_by_class: 'classMap',
    get_per_1000_by_class: 'classMap',
  },
  s3_storage_per_gb_month: 'classMapComplete',
  intelligent_tiering_monitoring_per_1000_objects: 'price',
  data_transfer: { inter_region_out_per_gb: 'price', internet_out_per_gb: 'price' },
  fargate: { vcpu_hour: 'price', gb_hour: 'price', spot_vcpu_hour: 'price', spot_gb_hour: 'price' },
} as const;

const OPTIONAL_PATHS = new Set(['s3_requests.put_per_1000_by_class', 's3_requests.get_per_1000_by_class', 'intelligent_tiering_monitoring_per_1000_objects']);

type Shape = 'price' | 'classMap' | 'classMapComplete' | { readonly [k: string]: Shape };

function mergeRegion(existing: RegionPrices | undefined, patch: Record<string, unknown>, at: string, problems: string[]): Record<string, unknown> {
  return mergeShape(REGION_SHAPE, (existing ?? {}) as unknown as Record<string, unknown>, patch, at, problems);
}

function mergeShape(
  shape: { readonly [k: string]: Shape },
  base: Record<string, unknown>,
  patch: Record<string, unknown>,
  at: string,
  problems: string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  checkKeys(patch, Object.keys(shape), at, problems);
  for (const [k, s] of Object.entries(shape)) {
    if (!(k in patch)) continue;
    const v = patch[k];
    const path = `${at}.${k}`;
    if (s === 'price') {
      if (isPrice(v)) out[k] = v;
      else problems.push(`${path}: expected a price in USD (a number ≥ 0), got ${describe(v)}`);
    } else if (s === 'classMap' || s === 'classMapComplete') {
      if (!isObject(v)) {
        problems.push(`${path}: expected an object keyed by storage class (${PRICED_STORAGE_CLASSES.join(', ')}), got ${describe(v)}`);
        continue;
      }
      checkKeys(v, PRICED_STORAGE_CLASSES, path, problems);
      const merged: Record<string, unknown> = { ...((base[k] as Record<string, unknown>) ?? {}) };
      for (const [c, price] of Object.entries(v)) {
        if (!isPricedStorageClass(c)) continue;
        if (isPrice(price)) merged[c] = price;
        else problems.push(`${path}.${c}: expected a price in USD (a number ≥ 0), got ${describe(price)}`);
      }
      out[k] = merged;
    } else {
      if (!isObject(v)) {
        problems.push(`${path}: expected an object with ${Object.keys(s).join(', ')}, got ${describe(v)}`);
        continue;
      }
      out[k] = mergeShape(s, (base[k] as Record<string, unknown>) ?? {}, v, path, problems);
    }
  }
  return out;
}

function requireComplete(r: Record<string, unknown>, at: string, problems: string[], shape: { readonly [k: string]: Shape } = REGION_SHAPE, prefix = ''): void {
  for (const [k, s] of Object.entries(shape)) {
    const rel = prefix ? `${prefix}.${k}` : k;
    const v = r[k];
    if (v === undefined) {
      if (!OPTIONAL_PATHS.has(rel)) problems.push(`${at}.${rel}: missing (a new region needs every price)`);
      continue;
    }
    if (s === 'classMapComplete' && isObject(v)) {
      for (const c of PRICED_STORAGE_CLASSES) if (v[c] === undefined) problems.push(`${at}.${rel}.${c}: missing (a new region needs every storage class)`);
    } else if (typeof s === 'object' && isObject(v)) {
      requireComplete(v, at, problems, s, rel);
    }
  }
}

function checkKeys(o: Record<string, unknown>, allowed: readonly string[], at: string, problems: string[]): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k))
      problems.push(`${at ? at + '.' : ''}${k}: unknown key (expected one of: ${allowed.filter((a) => !a.startsWith('$') && a !== 'comment').join(', ')})`);
  }
}

function isPrice(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + '...' : s;
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
