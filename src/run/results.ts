import type { SyncConfig } from '../config/schema.js';
import { settleWithFallback, type FallbackEngines, type FallbackPolicy } from '../engines/fallback.js';
import type { CopyResult, CopyTask, EngineName } from '../engines/types.js';
import type { ManifestWriter } from '../observe/manifest.js';
import { classifyError, type ErrorClass } from '../resilience/errors.js';
import type { Verifier } from '../verify/verifier.js';
import type { RunState } from './run-state.js';

export interface ResultsDeps {
  config: SyncConfig;
  run: RunState;
  engines: FallbackEngines;
  fallback: FallbackPolicy;
  verifier: Verifier;
  manifest?: ManifestWriter;
  /** Called after each batch's results are recorded (the network-instability retry rule). */
  afterBatch: () => void;
  /** Whether the source still lists a key whose copy was answered NoSuchKey (see stillListed). */
  sourceStillLists: (key: string) => Promise<boolean>;
}

/**
 * What happens to each batch's results: the per-object fallback, then the object is counted as
 * copied (manifest, latency, and its zip verified), vanished or failed. An object is vanished only
 * when the source no longer lists it: a NoSuchKey for a key the source still has means the request
 * named another key, and that is a failure, never a skip.
 */
export class ResultsHandler {
  constructor(private readonly d: ResultsDeps) {}

  /** The dispatcher's onResults. */
  readonly handle = async (results: CopyResult[], tasks: Map<string, CopyTask>, from: EngineName): Promise<void> => {
    const { run } = this.d;
    const onStream = (r: CopyResult) => run.degrade(r.engine, 'stream', `${r.key}: server-side copy refused (${r.error?.code ?? r.error?.class})`);
    for (const first of results) {
      const task = tasks.get(first.key)!;
      const r = await settleWithFallback(first, task, from, this.d.engines, this.d.fallback, { signal: run.abort, onStream });
      await this.record(r, task);
    }
    this.d.afterBatch();
  };

  private async record(r: CopyResult, task: CopyTask): Promise<void> {
    const { config, run } = this.d;
    const { counters, failures, log } = run;
    if (r.ok) {
      counters.recordCopy(r.engine, r.bytes);
      run.latency.record(r.latencyMs);
      const copiedAt = new Date().toISOString();
      await this.d.manifest?.add({ key: r.key, size: task.size, sha256: r.sha256, source_etag: task.etag, copied_at: copiedAt, engine: r.engine });
      if (config.enable_detailed_logging) {
        log.info('object', { key: r.key, bytes: r.bytes, engine: r.engine, latency_ms: Math.round(r.latencyMs), attempts: r.attempts, result: 'copied' });
      }
      if (!config.verify_checksums || !r.key.endsWith('.zip')) return;
      // The plan saw no .CHECKSUM next to this zip: nothing to read.
      if (task.checksumFile === false) counters.missingChecksums++;
      else await this.d.verifier.submit(r.key, r.sha256, task.checksumEtag);
    } else if (run.abort.aborted) {
      // Cut at the shutdown deadline: not a failure; the next run copies it.
    } else if (r.error?.class === 'vanished') {
      const gone = await this.confirmGone(r);
      if (gone === true) {
        counters.vanished++;
        failures.push({ key: r.key, error_class: 'vanished', code: r.error.code, message: 'source object disappeared before it was copied', engine: r.engine });
      } else if (!run.abort.aborted) {
        // (A listing cut by the shutdown counts nothing, like the copy it confirms.)
        this.fail(r, gone);
      }
    } else {
      this.fail(r, { error_class: r.error?.class ?? 'unknown', message: r.error?.message ?? 'failed' });
    }
  }

  /** true, or why the NoSuchKey cannot be taken as the object having gone. */
  private async confirmGone(r: CopyResult): Promise<true | { error_class: ErrorClass; message: string }> {
    const answered = `${r.error?.message ?? r.error?.code}`;
    try {
      if (!(await this.d.sourceStillLists(r.key))) return true;
      return {
        error_class: 'client',
        message:
          `${answered}; but the source still lists this key, so the request named another key ` +
          '(a key mangled on its way, e.g. by URL encoding): failed, not vanished',
      };
    } catch (err) {
      const e = classifyError(err);
      const why = `${e.code ?? e.class}: ${e.message}`;
      return {
        error_class: e.class,
        message: `${answered}; and listing the source to tell whether the object is gone failed (${why}), so it counts as failed`,
      };
    }
  }

  private fail(r: CopyResult, why: { error_class: ErrorClass; message: string }): void {
    const { counters, failures, log } = this.d.run;
    counters.failed++;
    failures.push({ key: r.key, error_class: why.error_class, code: r.error?.code, message: why.message, engine: r.engine });
    log.warn('object', {
      key: r.key,
      bytes: 0,
      engine: r.engine,
      latency_ms: Math.round(r.latencyMs),
      attempts: r.attempts,
      result: 'failed',
      error_class: why.error_class,
      code: r.error?.code,
      message: why.message,
    });
  }
}
