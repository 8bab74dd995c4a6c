import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ExitCode, JobError, PreflightError } from '../../../src/exit-codes.js';
import { createLogger } from '../../../src/observe/logger.js';
import { RunState } from '../../../src/run/run-state.js';

function state(o: { command?: 'sync' | 'plan'; dryRun?: boolean; signal?: AbortSignal; abortSignal?: AbortSignal } = {}) {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _e, cb) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      cb();
    },
  });
  const run = new RunState({ command: o.command ?? 'sync', dryRun: o.dryRun ?? false, logger: createLogger({ json: true, stream, level: 'debug' }), ...o });
  return { run, lines };
}

describe('RunState', () => {
  it('only a sync that is not a dry run writes', () => {
    expect(state().run.writes).toBe(true);
    expect(state({ dryRun: true }).run.writes).toBe(false);
    expect(state({ command: 'plan' }).run.writes).toBe(false);
  });

  it('a lost lease stops new work and cuts what is in flight; the callers signals still count', () => {
    const stop = new AbortController();
    const { run } = state({ signal: stop.signal });
    expect(run.stop.aborted || run.abort.aborted).toBe(false);
    stop.abort();
    expect(run.stop.aborted).toBe(true);
    expect(run.abort.aborted).toBe(false);
    const other = state().run;
    other.leaseLost.abort();
    expect(other.stop.aborted && other.abort.aborted).toBe(true);
  });

  it('recordError: an interruption, the first JobError, or anything else as a failure of class and message', () => {
    const first = state().run;
    first.recordError(new PreflightError('no bucket'));
    first.recordError(new JobError('later', ExitCode.badConfig));
    expect(first.fatal?.message).toBe('no bucket');
    const other = state().run;
    other.recordError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    expect(other.fatal?.exitCode).toBe(ExitCode.someFailed);
    expect(other.fatal?.message).toMatch(/^network error: /);
    const stop = new AbortController();
    const interrupted = state({ signal: stop.signal }).run;
    stop.abort();
    interrupted.recordError(new PreflightError('ignored'));
    expect(interrupted.interrupted).toBe(true);
    expect(interrupted.fatal).toBeUndefined();
  });

  it('degrade records and logs; retryLogger counts and logs each retry', () => {
    const { run, lines } = state();
    run.degrade('s5cmd', 'sdk', 'why');
    expect(run.degradations).toMatchObject([{ from: 's5cmd', to: 'sdk', reason: 'why' }]);
    const onRetry = run.retryLogger('retrying');
    onRetry({ attempt: 1, delayMs: 5, reason: 'r', error: { class: 'throttling', code: 'SlowDown', message: 'x', retryable: true } }, 'a/b.zip');
    expect(run.counters.retries).toBe(1);
    expect(lines.map((l) => l.message)).toEqual(['degraded', 'retrying']);
    expect(lines[1]).toMatchObject({ key: 'a/b.zip', attempt: 1, error_class: 'throttling', code: 'SlowDown', delay_ms: 5, run_id: run.runId });
  });
});
