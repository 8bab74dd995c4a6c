/** How many objects and bytes a selection holds, counted from a listing of the source. */
import type { S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import type { FolderStep } from '../config/selection.js';
import { listingUnits, type ListUnit } from '../plan/units.js';
import { listPrefix } from '../storage/listing.js';

const PROGRESS_EVERY_MS = 10_000;

export interface SelectionTally {
  objects: number;
  bytes: number;
  zips: number;
  checksums: number;
  largestBytes: number;
  prefixes: number;
}

/** A listing that failed, with the prefix it was listing. */
export class TallyError extends Error {
  constructor(
    readonly prefix: string,
    readonly error: unknown,
  ) {
    super(`listing ${prefix} failed: ${error instanceof Error ? error.message : String(error)}`);
    this.name = 'TallyError';
  }
}

/** What is listed: the source's root prefix, the selection's relative prefixes, and how each folder is listed. */
export interface TallyScope {
  root: string;
  prefixes: readonly string[];
  step: (rel: string) => FolderStep;
}

/**
 * Counts the selected objects and their bytes in the listing units the plan would list (the
 * selection's folder steps: a date window lists each daily folder from its first day),
 * `concurrency` requests at a time, page by page: memory stays flat whatever the size of the listing.
 * `prefixes` in the result is the number of units listed.
 */
export async function tallySelection(
  client: S3Client,
  bucket: string,
  scope: TallyScope,
  matches: (key: string) => boolean,
  opts: { concurrency: number; onProgress?: (t: SelectionTally) => void; progressEveryMs?: number },
): Promise<SelectionTally> {
  const stop = new AbortController();
  const limit = pLimit(Math.max(1, opts.concurrency));
  let units: ListUnit[];
  try {
    units = await listingUnits({ prefixes: scope.prefixes, step: scope.step, sides: [{ client, bucket, root: scope.root, limit }], signal: stop.signal });
  } catch (err) {
    throw new TallyError(scope.root + (scope.prefixes[0] ?? ''), err);
  }
  const t: SelectionTally = { objects: 0, bytes: 0, zips: 0, checksums: 0, largestBytes: 0, prefixes: units.length };
  let next = 0;
  let failure: TallyError | undefined;
  const worker = async () => {
    while (next < units.length && !stop.signal.aborted) {
      const u = units[next++]!;
      const prefix = scope.root + u.rel;
      const bounds = { startAfter: u.startAfter && scope.root + u.startAfter, endBefore: u.endBefore && scope.root + u.endBefore };
      try {
        for await (const o of listPrefix(client, bucket, prefix, { root: '', recursive: u.recursive, ...bounds, signal: stop.signal })) {
          if (!matches(o.key)) continue;
          t.objects++;
          t.bytes += o.size;
          if (o.size > t.largestBytes) t.largestBytes = o.size;
          if (o.key.endsWith('.CHECKSUM')) t.checksums++;
          else if (o.key.endsWith('.zip')) t.zips++;
        }
      } catch (err) {
        failure ??= new TallyError(prefix, err);
        stop.abort();
      }
    }
  };
  const timer = opts.onProgress ? setInterval(() => opts.onProgress!({ ...t }), opts.progressEveryMs ?? PROGRESS_EVERY_MS) : undefined;
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, units.length)) }, worker));
  } finally {
    if (timer) clearInterval(timer);
  }
  if (failure) throw failure;
  return t;
}
