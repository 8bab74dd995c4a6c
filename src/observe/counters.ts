import type { ErrorClass } from '../resilience/errors.js';

/** Live tallies of a run, shared by the pipeline, the progress display and the report. */
export class RunCounters {
  listed = 0;
  planned = 0;
  plannedBytes = 0;
  copied = 0;
  copiedBytes = 0;
  skipped = 0;
  deleted = 0;
  failed = 0;
  /** Source objects that disappeared between listing and copy: reported, not failed. */
  vanished = 0;
  verified = 0;
  checksumMismatches = 0;
  missingChecksums = 0;
  retries = 0;
  listingDone = false;
  byEngine: Record<string, { objects: number; bytes: number }> = {};
  /** Objects routed to each engine, by reason, before any fallback. */
  routes: Record<string, Record<string, number>> = {};

  recordRoute(engine: string, reason: string): void {
    const byReason = (this.routes[engine] ??= {});
    byReason[reason] = (byReason[reason] ?? 0) + 1;
  }

  recordCopy(engine: string, bytes: number): void {
    this.copied++;
    this.copiedBytes += bytes;
    const e = (this.byEngine[engine] ??= { objects: 0, bytes: 0 });
    e.objects++;
    e.bytes += bytes;
  }
}

export interface FailureRecord {
  key: string;
  error_class: ErrorClass | 'delete-cap';
  message: string;
  code?: string;
  engine?: string;
}

export interface MismatchRecord {
  key: string;
  expected_sha256: string;
  actual_sha256: string;
  checksum_key: string;
}

export interface Degradation {
  at: string;
  from: string;
  to: string;
  reason: string;
}

/** Keeps the first `limit` entries and counts the rest, so a failing run cannot exhaust memory. */
export class BoundedList<T> {
  readonly items: T[] = [];
  dropped = 0;
  constructor(private limit: number) {}
  push(item: T): void {
    if (this.items.length < this.limit) this.items.push(item);
    else this.dropped++;
  }
  get total(): number {
    return this.items.length + this.dropped;
  }
}
