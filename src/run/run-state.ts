/**
 * What every stage of one run reads and adds to: its id, logger and signals; the tallies, failures
 * and degradations the report is built from; and the error that decides the exit code.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { EngineName } from '../engines/types.js';
import { ExitCode, JobError } from '../exit-codes.js';
import { BoundedList, RunCounters, type Degradation, type FailureRecord, type MismatchRecord } from '../observe/counters.js';
import { LatencyRecorder } from '../observe/kpi.js';
import type { Logger } from '../observe/logger.js';
import { classifyError } from '../resilience/errors.js';
import type { RetryInfo } from '../resilience/retry.js';
import { RequestTally } from '../storage/request-tally.js';

const MAX_LISTED_FAILURES = 10_000;

export interface RunStart {
  command: 'sync' | 'plan';
  dryRun: boolean;
  logger: Logger;
  runId?: string;
  signal?: AbortSignal;
  abortSignal?: AbortSignal;
}

export class RunState {
  readonly startedAt = new Date();
  readonly runId: string;
  readonly log: Logger;
  /** A sync that is not a dry run: the only kind that writes. */
  readonly writes: boolean;
  /** Aborted when the destination's lease is lost: it stops the run like SIGTERM does, and cuts what is in flight. */
  readonly leaseLost = new AbortController();
  /** No new work starts once aborted (SIGTERM/SIGINT, a lost lease). */
  readonly stop: AbortSignal;
  /** In-flight requests are cut once aborted (the shutdown deadline, a lost lease). */
  readonly abort: AbortSignal;

  readonly counters = new RunCounters();
  readonly failures = new BoundedList<FailureRecord>(MAX_LISTED_FAILURES);
  readonly mismatches = new BoundedList<MismatchRecord>(MAX_LISTED_FAILURES);
  readonly degradations: Degradation[] = [];
  /** Every request per side and kind, for the cost. */
  readonly tally = new RequestTally();
  readonly latency = new LatencyRecorder();

  /** For the report: the engine chosen and why, and the sized settings. */
  engine: EngineName | 'none' = 'none';
  engineReason = '';
  settings: Record<string, unknown> = {};
  /** Deletes the plan decided (more than are kept when past max_delete). */
  plannedDeletes = 0;
  manifest?: { path: string; entries: number; uploaded_to?: string };
  /** Planned data types (market/frequency/type) in which the symbol filter selected no key. */
  emptyTypes: string[] = [];
  /** The planning stopped at --max-cost-usd. */
  budgetReached = false;
  /** The error that decides the exit code. */
  fatal?: JobError;
  interrupted = false;

  constructor(s: RunStart) {
    this.runId = s.runId ?? `${this.startedAt.toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`;
    this.log = s.logger.child({ run_id: this.runId });
    this.writes = s.command === 'sync' && !s.dryRun;
    this.stop = anySignal(s.signal, this.leaseLost.signal);
    this.abort = anySignal(s.abortSignal, this.leaseLost.signal);
    // Every in-flight request listens on these signals; thousands at once are expected, not a leak.
    for (const signal of [this.stop, this.abort]) setMaxListeners(1_000_000, signal);
  }

  /** A fallback the run took: logged and reported. */
  degrade(from: string, to: string, reason: string): void {
    this.degradations.push({ at: new Date().toISOString(), from, to, reason });
    this.log.warn('degraded', { from, to, reason });
  }

  /** Counts a retry and logs it at debug level with `message`. */
  retryLogger(message: string): (info: RetryInfo, key?: string) => void {
    return (info, key) => {
      this.counters.retries++;
      const which = key === undefined ? {} : { key };
      this.log.debug(message, { ...which, attempt: info.attempt, error_class: info.error.class, code: info.error.code, delay_ms: info.delayMs });
    };
  }

  /** An error that ended the stages early: an interruption, a JobError (the first wins), or anything else as a failure. */
  recordError(err: unknown): void {
    if (this.stop.aborted) this.interrupted = true;
    else if (err instanceof JobError) this.fatal ??= err;
    else {
      const c = classifyError(err);
      this.fatal = new JobError(`${c.class} error: ${c.message}`, ExitCode.someFailed);
    }
  }
}

function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
}
