import type { Logger } from './logger.js';
import type { RunCounters } from './counters.js';
import { formatBytes } from './report.js';

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
    mbPerSecond: rate / (1024 * 1024),
    // Only meaningful once the listing is complete and the total is known.
    etaSeconds: c.listingDone && rate > 0 ? Math.max(0, remaining / rate) : undefined,
    listingDone: c.listingDone,
  };
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function formatProgress(p: ProgressSnapshot, extra = ''): string {
  const total = p.listingDone ? `${p.objectsPlanned}` : `${p.objectsPlanned}+`;
  const eta = p.etaSeconds === undefined ? (p.listingDone ? '-' : 'listing…') : formatDuration(p.etaSeconds);
  return `objects ${p.objectsDone}/${total}  ${formatBytes(p.bytesDone)}/${formatBytes(p.bytesPlanned)}  ${p.mbPerSecond.toFixed(2)} MB/s  ETA ${eta}${extra ? '  ' + extra : ''}`;
}

/**
 * Shows progress while a run lasts: one redrawn line on a terminal, a structured log line every
 * `intervalSeconds` otherwise.
 */
export class ProgressReporter {
  private timer?: NodeJS.Timeout;
  private started = performance.now();
  private lastLogged = 0;

  constructor(
    private counters: RunCounters,
    private logger: Logger,
    private opts: { tty: boolean; intervalSeconds?: number; detail?: () => string },
  ) {}

  start(): void {
    const every = this.opts.tty ? 500 : 1000;
    this.timer = setInterval(() => this.tick(), every);
    this.timer.unref();
  }

  private tick(): void {
    const elapsed = (performance.now() - this.started) / 1000;
    const p = snapshot(this.counters, elapsed);
    if (this.opts.tty) {
      process.stderr.write(`\r\x1b[2K${formatProgress(p, this.opts.detail?.())}`);
    } else if (elapsed - this.lastLogged >= (this.opts.intervalSeconds ?? 10)) {
      this.lastLogged = elapsed;
      this.logger.info('progress', { progress: { ...p, mbPerSecond: Number(p.mbPerSecond.toFixed(3)) } });
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.opts.tty) process.stderr.write('\r\x1b[2K');
  }
}
