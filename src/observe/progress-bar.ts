import cliProgress from 'cli-progress';
import type { RunCounters } from './counters.js';
import { formatBytes, formatDuration, MIB } from '../units.js';

/** Where the bar reads the live numbers; every call is cheap and synchronous. */
export interface ProgressBarSource {
  objectsDone(): number;
  objectsPlanned(): number;
  bytesDone(): number;
  bytesPlanned(): number;
  /** Until the listing is complete the totals are still growing: shown as "N+" with no ETA. */
  listingDone(): boolean;
  /** Engine doing the copies now (changes on degradation). */
  engine(): string;
  /** Copies in flight allowed now (changes when the governor adapts). */
  concurrency(): number;
}

export interface ProgressBarOptions {
  /** Default process.stderr (stdout carries the report and metric lines). */
  stream?: NodeJS.WritableStream;
  /** Milliseconds clock; default performance.now(). */
  now?: () => number;
  /** Redraw from the source every this many ms while started; 0 = only on update(). Default 500. */
  refreshMs?: number;
  /** Width of the bar itself in characters. Default 30. */
  barSize?: number;
  /** The MB/s shown is measured over this trailing window. Default 10 s. */
  rateWindowMs?: number;
}

/** What one rendered line shows. */
export interface BarView {
  objectsDone: number;
  objectsPlanned: number;
  bytesDone: number;
  bytesPlanned: number;
  listingDone: boolean;
  mbPerSecond: number;
  etaSeconds: number | undefined;
  engine: string;
  concurrency: number;
}

/** One line of the bar (pure, for tests and for non-cli-progress renderers). */
export function formatBarLine(v: BarView, barSize = 30): string {
  const ratio = v.bytesPlanned > 0 ? Math.min(1, v.bytesDone / v.bytesPlanned) : v.listingDone ? 1 : 0;
  const filled = Math.round(ratio * barSize);
  const bar = '█'.repeat(filled) + '░'.repeat(barSize - filled);
  const plus = v.listingDone ? '' : '+';
  const eta = v.etaSeconds !== undefined ? formatDuration(v.etaSeconds) : v.listingDone ? '-' : 'listing…';
  return [
    `${bar} ${(ratio * 100).toFixed(1).padStart(5)}%`,
    `objects ${v.objectsDone}/${v.objectsPlanned}${plus}`,
    `${formatBytes(v.bytesDone)}/${formatBytes(v.bytesPlanned)}${plus}`,
    `${v.mbPerSecond.toFixed(2)} MB/s`,
    `ETA ${eta}`,
    `${v.engine} ×${v.concurrency}`,
  ].join(' | ');
}

/**
 * A one-line progress bar for a terminal: objects and bytes done of planned, MB/s over a trailing
 * window, ETA, and the current engine and concurrency. Draws nothing when the stream is not a TTY
 * (log-based progress covers that case).
 */
export class TransferProgressBar {
  private bar: cliProgress.SingleBar;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  /** (time, bytes) samples for the windowed rate; bounded. */
  private samples: Array<[number, number]> = [];
  private readonly now: () => number;
  private readonly windowMs: number;
  private readonly barSize: number;
  private view: BarView | undefined;

  constructor(
    private source: ProgressBarSource,
    private opts: ProgressBarOptions = {},
  ) {
    this.now = opts.now ?? (() => performance.now());
    this.windowMs = opts.rateWindowMs ?? 10_000;
    this.barSize = opts.barSize ?? 30;
    this.bar = new cliProgress.SingleBar({
      stream: opts.stream ?? process.stderr,
      format: () => (this.view ? formatBarLine(this.view, this.barSize) : ''),
      // Redraws are driven by update(); cli-progress only throttles them.
      fps: 10,
      hideCursor: true,
      clearOnComplete: false,
      linewrap: false,
      noTTYOutput: false,
      gracefulExit: false,
    });
  }

  get isTTY(): boolean {
    return ((this.opts.stream ?? process.stderr) as { isTTY?: boolean }).isTTY === true;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.view = this.read();
    this.bar.start(Math.max(1, this.view.bytesPlanned), this.view.bytesDone);
    const every = this.opts.refreshMs ?? 500;
    if (every > 0) {
      this.timer = setInterval(() => this.update(), every);
      this.timer.unref();
    }
  }

  /** Reads the source and redraws (throttled by cli-progress). */
  update(): void {
    if (!this.started) return;
    this.view = this.read();
    this.bar.setTotal(Math.max(1, this.view.bytesPlanned));
    this.bar.update(this.view.bytesDone);
  }

  /** Draws the final state and leaves the line on screen. Safe to call twice. */
  stop(): void {
    if (!this.started) return;
    this.started = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.view = this.read();
    this.bar.setTotal(Math.max(1, this.view.bytesPlanned));
    this.bar.update(this.view.bytesDone);
    this.bar.stop();
  }

  /** The numbers the next redraw shows. */
  current(): BarView {
    return this.read();
  }

  private read(): BarView {
    const s = this.source;
    const t = this.now();
    const bytesDone = s.bytesDone();
    const bytesPlanned = s.bytesPlanned();
    const listingDone = s.listingDone();
    this.samples.push([t, bytesDone]);
    // Keep one sample at or before the window start as the base, and at most 256 samples.
    while (this.samples.length > 2 && this.samples[1]![0] <= t - this.windowMs) this.samples.shift();
    if (this.samples.length > 256) this.samples.splice(1, this.samples.length - 256);
    const [t0, b0] = this.samples[0]!;
    const dt = (t - t0) / 1000;
    const rate = dt > 0 ? (bytesDone - b0) / dt : 0;
    const remaining = Math.max(0, bytesPlanned - bytesDone);
    return {
      objectsDone: s.objectsDone(),
      objectsPlanned: s.objectsPlanned(),
      bytesDone,
      bytesPlanned,
      listingDone,
      mbPerSecond: rate / MIB,
      etaSeconds: listingDone ? (remaining === 0 ? 0 : rate > 0 ? remaining / rate : undefined) : undefined,
      engine: s.engine(),
      concurrency: s.concurrency(),
    };
  }
}

/** The usual source: the run's counters plus callbacks for what the counters do not hold. */
export function counterSource(counters: RunCounters, engine: () => string, concurrency: () => number): ProgressBarSource {
  return {
    objectsDone: () => counters.copied + counters.failed + counters.vanished,
    objectsPlanned: () => counters.planned,
    bytesDone: () => counters.copiedBytes,
    bytesPlanned: () => counters.plannedBytes,
    listingDone: () => counters.listingDone,
    engine,
    concurrency,
  };
}
