/** How many objects and bytes a selection holds, counted from a listing of the source. */
import type { S3Client } from '@aws-sdk/client-s3';
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

/**
 * Counts the selected objects and their bytes under `prefixes`, `concurrency` prefixes at a time,
 * page by page: memory stays flat whatever the size of the listing.
 */
export async function tallySelection(
  client: S3Client,
  bucket: string,
  prefixes: readonly string[],
  matches: (key: string) => boolean,
  opts: { concurrency: number; onProgress?: (t: SelectionTally) => void; progressEveryMs?: number },
): Promise<SelectionTally> {
  const t: SelectionTally = { objects: 0, bytes: 0, zips: 0, checksums: 0, largestBytes: 0, prefixes: prefixes.length };
  const stop = new AbortController();
  let next = 0;
  let failure: TallyError | undefined;
  const worker = async () => {
    while (next < prefixes.length && !stop.signal.aborted) {
      const prefix = prefixes[next++]!;
      try {
        for await (const o of listPrefix(client, bucket, prefix, { root: '', signal: stop.signal })) {
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
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, prefixes.length)) }, worker));
  } finally {
    if (timer) clearInterval(timer);
  }
  if (failure) throw failure;
  return t;
}
