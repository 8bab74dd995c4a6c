import type { Logger } from './logger.js';
import { counterSource, TransferProgressBar } from './progress-bar.js';
import { ProgressGate } from './progress-policy.js';
import type { RunCounters } from './counters.js';
import { MIB } from '../units.js';

export interface ProgressSnapshot {
  objectsDone: number;
  objectsPlanned: number;
  bytesDone: number;
  bytesPlanned: number;
  mbPerSecond: number;
  etaSeconds: number | undefined;
  listingDone: boolean;
}

export function snapshot(c: RunCounters, elapsedSeconds: number): ProgressSnapshot {
  const rate = elapsedSeconds > 0 ? c.copiedBytes / elapsedSeconds : 0;
  const remaining = c.plannedBytes - c.copiedBytes;
  return {
    objectsDone: c.copied + c.failed,
    objectsPlanned: c.planned,
    bytesDone: c.copiedBytes,
    bytesPlanned: c.plannedBytes,
    mbPerSecond: rate / MIB,
    // Only meaningful once the listing is complete and the total is known.
    etaSeconds: c.listingDone && rate > 0 ? Math.max(0, remaining / rate) : undefined,
    listingDone: c.listingDone,
  };
}

/**
 * Shows progress while a run lasts: a live bar on a terminal (objects and bytes of planned, MB/s,
 * ETA, engine, concurrency); off a terminal a structured log line every 10 s or every 5% of the
 * planned bytes, whichever comes first, never more often than once a second, and once at the end.
 */
export class ProgressReporter {
  private timer?: NodeJS.Timeout;
  private started = performance.now();
  private bar?: TransferProgressBar;
  private gate = new ProgressGate();

  constructor(
    private counters: RunCounters,
    private logger: Logger,
    private opts: { tty: boolean; engine: () => string; concurrency: () => number },
  ) {}

  start(): void {
    if (this.opts.tty) {
      this.bar = new TransferProgressBar(counterSource(this.counters, this.opts.engine, this.opts.concurrency));
      this.bar.start();
      return;
    }
    this.timer = setInterval(() => this.tick(false), 250);
    this.timer.unref();
  }

  private tick(done: boolean): void {
    const c = this.counters;
    const now = performance.now();
    if (!this.gate.tick(now, { bytesDone: c.copiedBytes, bytesPlanned: c.plannedBytes, objectsDone: c.copied + c.failed }, done)) return;
    const p = snapshot(c, (now - this.started) / 1000);
    this.logger.info('progress', {
      progress: { ...p, mbPerSecond: Number(p.mbPerSecond.toFixed(3)), engine: this.opts.engine(), concurrency: this.opts.concurrency() },
    });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.bar) this.bar.stop();
    else this.tick(true);
  }
}
