import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RunCounters } from '../../../src/observe/counters.js';
import { counterSource, formatBarLine, TransferProgressBar } from '../../../src/observe/progress-bar.js';

const MiB = 1024 * 1024;

function fakeTty(isTTY = true) {
  const s = new PassThrough() as PassThrough & { isTTY: boolean; columns: number };
  s.isTTY = isTTY;
  s.columns = 200;
  let out = '';
  s.on('data', (d) => (out += String(d)));
  return { stream: s, output: () => out };
}

// eslint-disable-next-line no-control-regex -- strips the ANSI escape sequences (ESC) the live bar writes
const strip = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '');

describe('formatBarLine', () => {
  it('shows objects, bytes, MB/s, ETA, engine and concurrency', () => {
    const line = formatBarLine(
      {
        objectsDone: 25,
        objectsPlanned: 100,
        bytesDone: 256 * MiB,
        bytesPlanned: 1024 * MiB,
        listingDone: true,
        mbPerSecond: 12.345,
        etaSeconds: 62,
        engine: 's5cmd',
        concurrency: 32,
      },
      20,
    );
    expect(line).toBe('█████░░░░░░░░░░░░░░░  25.0% | objects 25/100 | 256.0 MiB/1.0 GiB | 12.35 MB/s | ETA 1m02s | s5cmd ×32');
  });

  it('marks growing totals while the listing runs, with no ETA', () => {
    const line = formatBarLine(
      {
        objectsDone: 1,
        objectsPlanned: 10,
        bytesDone: 0,
        bytesPlanned: 0,
        listingDone: false,
        mbPerSecond: 0,
        etaSeconds: undefined,
        engine: 'sdk',
        concurrency: 8,
      },
      10,
    );
    expect(line).toContain('objects 1/10+');
    expect(line).toContain('ETA listing…');
    expect(line).toContain('0.0%');
  });
});

describe('TransferProgressBar', () => {
  it('draws on a TTY from the callbacks, with a windowed rate and ETA, and stops cleanly', () => {
    const c = new RunCounters();
    c.planned = 100;
    c.plannedBytes = 100 * MiB;
    c.listingDone = true;
    let now = 0;
    let engine = 's5cmd';
    const tty = fakeTty();
    const bar = new TransferProgressBar(
      counterSource(
        c,
        () => engine,
        () => 16,
      ),
      { stream: tty.stream, now: () => now, refreshMs: 0, barSize: 10 },
    );
    bar.start();
    now = 10_000;
    c.copied = 50;
    c.copiedBytes = 50 * MiB;
    const v = bar.current();
    expect(v.mbPerSecond).toBeCloseTo(5, 6);
    expect(v.etaSeconds).toBeCloseTo(10, 6);
    engine = 'stream';
    now = 20_000;
    c.copied = 100;
    c.copiedBytes = 100 * MiB;
    bar.stop();
    bar.stop();
    const out = strip(tty.output());
    expect(out).toContain('objects 100/100');
    expect(out).toContain('100.0 MiB/100.0 MiB');
    expect(out).toContain('100.0%');
    expect(out).toContain('stream ×16');
    expect(out).toContain('ETA 0s');
  });

  it('measures MB/s over the trailing window, not since the start', () => {
    const c = new RunCounters();
    c.plannedBytes = 1000 * MiB;
    c.listingDone = true;
    let now = 0;
    const bar = new TransferProgressBar(
      counterSource(
        c,
        () => 'sdk',
        () => 4,
      ),
      { stream: fakeTty().stream, now: () => now, refreshMs: 0, rateWindowMs: 10_000 },
    );
    // 100 s at 1 MiB/s, then 10 s at 10 MiB/s.
    for (let t = 1; t <= 100; t++) {
      now = t * 1000;
      c.copiedBytes = t * MiB;
      bar.current();
    }
    for (let t = 101; t <= 110; t++) {
      now = t * 1000;
      c.copiedBytes = (100 + (t - 100) * 10) * MiB;
      bar.current();
    }
    expect(bar.current().mbPerSecond).toBeCloseTo(10, 6);
  });

  it('writes nothing when the stream is not a terminal', () => {
    const c = new RunCounters();
    const out = fakeTty(false);
    const bar = new TransferProgressBar(
      counterSource(
        c,
        () => 'sdk',
        () => 1,
      ),
      { stream: out.stream, refreshMs: 0 },
    );
    bar.start();
    c.copied = 1;
    bar.update();
    bar.stop();
    expect(out.output()).toBe('');
    expect(bar.isTTY).toBe(false);
  });
});
