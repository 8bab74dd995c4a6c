import { describe, expect, it } from 'vitest';
import { DEFAULT_PROGRESS_POLICY, ProgressGate, progressStep, shouldEmitProgress, type ProgressState } from '../../../src/observe/progress-policy.js';

const base: ProgressState = { now: 0, lastAt: undefined, lastBytes: 0, bytesDone: 0, bytesPlanned: 1000, done: false };
const s = (o: Partial<ProgressState>): ProgressState => ({ ...base, ...o });

describe('shouldEmitProgress', () => {
  it('uses 10 s, 5% and a 1 s minimum gap by default', () => {
    expect(DEFAULT_PROGRESS_POLICY).toEqual({ intervalMs: 10_000, fraction: 0.05, minGapMs: 1_000 });
  });

  it('stays quiet when nothing changed, however long it has been', () => {
    expect(shouldEmitProgress(s({ now: 60_000, lastAt: 0, lastBytes: 500, bytesDone: 500 }))).toBe(false);
    expect(shouldEmitProgress(s({ now: 0, lastAt: undefined, lastBytes: 0, bytesDone: 0 }))).toBe(false);
  });

  it('emits the first change at once', () => {
    expect(shouldEmitProgress(s({ now: 5, bytesDone: 1 }))).toBe(true);
  });

  it('emits after the interval even for a tiny change', () => {
    expect(shouldEmitProgress(s({ now: 9_999, lastAt: 0, lastBytes: 10, bytesDone: 11 }))).toBe(false);
    expect(shouldEmitProgress(s({ now: 10_000, lastAt: 0, lastBytes: 10, bytesDone: 11 }))).toBe(true);
  });

  it('emits when another 5% boundary is crossed, before the interval', () => {
    // 40 → 49 bytes of 1000 stays in the first step; 49 → 50 crosses into the second.
    expect(shouldEmitProgress(s({ now: 2_000, lastAt: 0, lastBytes: 40, bytesDone: 49 }))).toBe(false);
    expect(shouldEmitProgress(s({ now: 2_000, lastAt: 0, lastBytes: 40, bytesDone: 50 }))).toBe(true);
    // 0.15 / 0.05 is 2.9999999999999996 in floating point: still step 3.
    expect(progressStep(150, 1000, 0.05)).toBe(3);
    expect(shouldEmitProgress(s({ now: 2_000, lastAt: 0, lastBytes: 149, bytesDone: 150 }))).toBe(true);
  });

  it('never emits twice within the minimum gap, even across several boundaries', () => {
    expect(shouldEmitProgress(s({ now: 999, lastAt: 0, lastBytes: 0, bytesDone: 900 }))).toBe(false);
    expect(shouldEmitProgress(s({ now: 1_000, lastAt: 0, lastBytes: 0, bytesDone: 900 }))).toBe(true);
  });

  it('does not divide by zero while nothing is planned yet', () => {
    expect(shouldEmitProgress(s({ now: 2_000, lastAt: 0, lastBytes: 0, bytesDone: 10, bytesPlanned: 0 }))).toBe(false);
    expect(shouldEmitProgress(s({ now: 10_000, lastAt: 0, lastBytes: 0, bytesDone: 10, bytesPlanned: 0 }))).toBe(true);
  });

  it('emits once at the end unless the last line already showed the final state', () => {
    expect(shouldEmitProgress(s({ now: 100, lastAt: 50, lastBytes: 900, bytesDone: 1000, done: true }))).toBe(true);
    expect(shouldEmitProgress(s({ now: 100, lastAt: 50, lastBytes: 1000, bytesDone: 1000, done: true }))).toBe(false);
    expect(shouldEmitProgress(s({ now: 100, lastAt: undefined, lastBytes: 0, bytesDone: 0, done: true }))).toBe(true);
  });

  it('counts objects as change when bytes do not move (empty objects)', () => {
    expect(shouldEmitProgress(s({ now: 20_000, lastAt: 0, lastBytes: 0, bytesDone: 0, objectsDone: 5, lastObjects: 0 }))).toBe(true);
    expect(shouldEmitProgress(s({ now: 20_000, lastAt: 0, lastBytes: 0, bytesDone: 0, objectsDone: 5, lastObjects: 5 }))).toBe(false);
  });
});

describe('ProgressGate with a fake clock', () => {
  it('emits every 5% of a fast run, never faster than 1 s, and once at the end', () => {
    const gate = new ProgressGate();
    const planned = 100 * 1024 * 1024;
    const emittedAt: number[] = [];
    // 100 MiB at 1 MiB every 100 ms: a 5% step (5 MiB) every 500 ms, so the 1 s gap decides.
    for (let t = 100, done = 0; done < planned; t += 100) {
      done += 1024 * 1024;
      if (gate.tick(t, { bytesDone: done, bytesPlanned: planned })) emittedAt.push(t);
    }
    expect(gate.tick(10_100, { bytesDone: planned, bytesPlanned: planned }, true)).toBe(true);
    expect(emittedAt[0]).toBe(100);
    for (let i = 1; i < emittedAt.length; i++) expect(emittedAt[i]! - emittedAt[i - 1]!).toBeGreaterThanOrEqual(1_000);
    expect(emittedAt.length).toBe(10); // 100, 1100, ..., 9100
    // Nothing after the end.
    expect(gate.tick(20_000, { bytesDone: planned + 1, bytesPlanned: planned })).toBe(false);
  });

  it('emits every 10 s on a slow run and on every 5% step in between', () => {
    const gate = new ProgressGate();
    const planned = 1_000_000;
    const emittedAt: number[] = [];
    // 1,000 bytes per second: 5% (50,000 bytes) every 50 s, so the 10 s interval decides.
    for (let t = 1_000; t <= 120_000; t += 1_000) {
      if (gate.tick(t, { bytesDone: t, bytesPlanned: planned })) emittedAt.push(t);
    }
    expect(emittedAt).toEqual([1_000, 11_000, 21_000, 31_000, 41_000, 50_000, 60_000, 70_000, 80_000, 90_000, 100_000, 110_000, 120_000]);
  });

  it('is silent while stalled', () => {
    const gate = new ProgressGate();
    expect(gate.tick(0, { bytesDone: 10, bytesPlanned: 100 })).toBe(true);
    for (let t = 1_000; t < 120_000; t += 1_000) expect(gate.tick(t, { bytesDone: 10, bytesPlanned: 100 })).toBe(false);
  });
});
