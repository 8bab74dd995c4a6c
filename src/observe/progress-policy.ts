/**
 * When to emit a progress line (log line, metric, callback): every `intervalMs`, or each time another
 * `fraction` of the planned bytes is done, whichever comes first; never twice within `minGapMs`;
 * never when nothing moved; and once more at the end.
 *
 * The seed's rule, `(elapsed % 10 < 1) or (files% % 0.05 < 0.01)`, is wrong three ways:
 * - `elapsed % 10 < 1` only holds when an update happens to land in the first second of a ten-second
 *   window: with sparse updates it never fires, with dense ones it fires on every update of that
 *   second (hundreds of lines).
 * - `files% % 0.05 < 0.01` holds for a fifth of all possible ratios, so with many small files it fires
 *   on about one update in five, and it can skip a 5% step entirely when one update jumps past the
 *   0.01-wide window; it also divides by zero when nothing is planned.
 * - It has no memory of the last emission, so it cannot enforce a minimum gap or stay quiet when
 *   nothing changed.
 * Here the decision depends on the time and bytes of the last emission, and the step test counts
 * crossed `fraction` boundaries, so no step is ever skipped and none is reported twice.
 *
 * Pure: the caller keeps `lastAt`/`lastBytes` (updated only when this returns true) and passes a clock.
 */

export interface ProgressState {
  /** Current time in milliseconds (any monotonic clock; `performance.now()` in production). */
  now: number;
  /** Time of the last emitted progress line, or undefined when none was emitted yet. */
  lastAt: number | undefined;
  /** Bytes done at the last emitted line (0 before the first). */
  lastBytes: number;
  bytesDone: number;
  /** Bytes planned so far (grows while the listing runs). */
  bytesPlanned: number;
  /** The run is over: emit the final line unless it would repeat the last one. */
  done: boolean;
  /** Optional object counts, so progress made only of empty objects still counts as a change. */
  objectsDone?: number;
  lastObjects?: number;
}

export interface ProgressPolicy {
  /** Longest quiet time while work is moving. */
  intervalMs: number;
  /** Emit each time another fraction (0 < f ≤ 1) of the planned bytes is done. */
  fraction: number;
  /** Shortest time between two lines (the final line ignores it). */
  minGapMs: number;
}

export const DEFAULT_PROGRESS_POLICY: Readonly<ProgressPolicy> = Object.freeze({ intervalMs: 10_000, fraction: 0.05, minGapMs: 1_000 });

/** Guards against 0.15 / 0.05 = 2.9999999999999996. */
const EPSILON = 1e-9;

/** Index of the `fraction`-sized step that `done` of `planned` has reached (0 when nothing is planned). */
export function progressStep(done: number, planned: number, fraction: number): number {
  if (!(planned > 0) || !(fraction > 0)) return 0;
  return Math.floor(done / planned / fraction + EPSILON);
}

export function shouldEmitProgress(state: ProgressState, policy: ProgressPolicy = DEFAULT_PROGRESS_POLICY): boolean {
  const { now, lastAt, lastBytes, bytesDone, bytesPlanned, done } = state;
  const changed = bytesDone !== lastBytes || (state.objectsDone ?? 0) !== (state.lastObjects ?? 0);

  // The final line: always when something moved since the last line, or when there never was one.
  if (done) return lastAt === undefined || changed;
  if (!changed) return false;
  // First sign of life.
  if (lastAt === undefined) return true;

  const gap = now - lastAt;
  if (gap < policy.minGapMs) return false;
  if (gap >= policy.intervalMs) return true;
  return progressStep(bytesDone, bytesPlanned, policy.fraction) > progressStep(lastBytes, bytesPlanned, policy.fraction);
}

/**
 * A small stateful wrapper: call `tick` as often as you like; it returns true when a line is due and
 * then remembers that line. Keeps the policy pure and the call sites short.
 */
export class ProgressGate {
  private lastAt: number | undefined;
  private lastBytes = 0;
  private lastObjects = 0;
  private finished = false;

  constructor(private policy: ProgressPolicy = DEFAULT_PROGRESS_POLICY) {}

  tick(now: number, progress: { bytesDone: number; bytesPlanned: number; objectsDone?: number }, done = false): boolean {
    if (this.finished) return false;
    const emit = shouldEmitProgress({ now, lastAt: this.lastAt, lastBytes: this.lastBytes, lastObjects: this.lastObjects, done, ...progress }, this.policy);
    if (done) this.finished = true;
    if (emit) {
      this.lastAt = now;
      this.lastBytes = progress.bytesDone;
      this.lastObjects = progress.objectsDone ?? 0;
    }
    return emit;
  }
}
