import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { classifyCode, isRetryableClass, type ClassifiedError } from '../resilience/errors.js';
import type { RetryPolicy } from '../resilience/retry.js';
import { s3Url } from '../storage/types.js';
import type { CopyEngine, CopyResult, CopyTask, EngineSettings } from './types.js';
import { MAX_COPY_OBJECT_BYTES } from './types.js';
import { hasControlCharacter } from './select.js';

export interface S5cmdOptions {
  binary: string;
  /** Destination endpoint (s5cmd signs every request with one set of credentials: the destination's). */
  endpointUrl?: string;
  /** Environment for the child: the destination's credentials and region (read for each batch). */
  env: () => Promise<Record<string, string | undefined>>;
  /** Workers for the next batch (the governor's current limit); default settings.concurrency. */
  workers?: () => number;
  /** Called when s5cmd exited without a result for some objects of a batch (not when the run was aborted). */
  onStoppedEarly?: (reason: string) => void;
  /** The run's live retry policy (raised while the network is unstable), read for each batch. */
  retry: RetryPolicy;
}

/** Quotes one argument for s5cmd's `run` file, which splits lines like a POSIX shell. */
export function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function batchLine(task: CopyTask, settings: EngineSettings): string {
  // A newline would start another command in the run file; routing sends such keys to the SDK engine.
  if (hasControlCharacter(task.key)) throw new Error(`s5cmd run file: key ${JSON.stringify(task.key)} has a control character`);
  // s5cmd replaces metadata on remote-to-remote copies unless told to copy it.
  const parts = ['cp', '--raw', '--metadata-directive', 'COPY'];
  if (settings.storageClass && settings.storageClass !== 'STANDARD') parts.push('--storage-class', settings.storageClass);
  parts.push(shellQuote(s3Url(settings.source, task.key)), shellQuote(s3Url(settings.dest, task.key)));
  return parts.join(' ');
}

/** s5cmd reports errors as text such as "AccessDenied: Access Denied status code: 403, request id: ...". */
export function parseS5cmdError(text: string): ClassifiedError {
  const code = /^([A-Za-z][A-Za-z0-9]+):/.exec(text.trim())?.[1];
  const statusText = /status code: (\d{3})/.exec(text)?.[1];
  const status = statusText ? Number(statusText) : undefined;
  const cls = classifyCode(code, status);
  return { class: cls, code, status, message: text.replace(/, request id: .*$/, ''), retryable: isRetryableClass(cls) };
}

interface S5cmdLine {
  operation?: string;
  success?: boolean;
  source?: string;
  destination?: string;
  command?: string;
  error?: string;
}

/**
 * Server-side copies through the real s5cmd: each batch becomes a `run` file of `cp` lines, and
 * `--json` output gives one result per object, matched back to its task.
 */
export class S5cmdEngine implements CopyEngine {
  readonly name = 's5cmd' as const;
  readonly maxObjectBytes = MAX_COPY_OBJECT_BYTES;
  private dir = mkdtempSync(join(tmpdir(), 's3ds-s5cmd-'));
  private seq = 0;

  constructor(
    private settings: EngineSettings,
    private opts: S5cmdOptions,
  ) {}

  async copyBatch(tasks: CopyTask[], signal?: AbortSignal): Promise<CopyResult[]> {
    if (tasks.length === 0) return [];
    const started = performance.now();
    const file = join(this.dir, `batch-${++this.seq}.txt`);
    writeFileSync(file, tasks.map((t) => batchLine(t, this.settings)).join('\n') + '\n');
    const byDest = new Map<string, CopyTask>();
    const byCommand = new Map<string, CopyTask>();
    for (const t of tasks) {
      const src = s3Url(this.settings.source, t.key);
      const dst = s3Url(this.settings.dest, t.key);
      byDest.set(dst, t);
      byCommand.set(`cp ${src} ${dst}`, t);
    }
    const results = new Map<string, CopyResult>();
    const workers = Math.max(1, Math.round(this.opts.workers?.() ?? this.settings.concurrency));
    const args = ['--json', '--numworkers', String(workers), '--retry-count', String(this.opts.retry.retryCount)];
    if (this.opts.endpointUrl) args.push('--endpoint-url', this.opts.endpointUrl);
    args.push('run', file);
    const child = spawn(this.opts.binary, args, { env: { ...process.env, ...(await this.opts.env()) }, stdio: ['ignore', 'pipe', 'pipe'] });
    const onAbort = () => child.kill('SIGTERM');
    signal?.addEventListener('abort', onAbort, { once: true });
    const stderrTail: string[] = [];
    const handle = (line: string, fromStderr: boolean) => {
      let parsed: S5cmdLine | undefined;
      try {
        parsed = JSON.parse(line) as S5cmdLine;
      } catch {
        if (fromStderr) stderrTail.push(line);
        return;
      }
      const elapsed = performance.now() - started;
      if (parsed.success && parsed.destination) {
        const t = byDest.get(parsed.destination);
        if (t) results.set(t.key, { key: t.key, ok: true, engine: 's5cmd', bytes: t.size, attempts: 1, latencyMs: elapsed });
      } else if (parsed.error) {
        const t = (parsed.command && byCommand.get(parsed.command)) || (parsed.destination ? byDest.get(parsed.destination) : undefined);
        const error = t && this.failureOf(t, parsed.error);
        if (t) results.set(t.key, { key: t.key, ok: false, engine: 's5cmd', bytes: 0, attempts: 1, latencyMs: elapsed, error });
        else stderrTail.push(line);
      }
    };
    const out = createInterface({ input: child.stdout }).on('line', (l) => handle(l, false));
    const err = createInterface({ input: child.stderr }).on('line', (l) => handle(l, true));
    const exit = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
      child.once('error', (e) => resolve({ code: null, error: e }));
      child.once('close', (code) => resolve({ code }));
    });
    out.close();
    err.close();
    signal?.removeEventListener('abort', onAbort);
    rmSync(file, { force: true });
    if (exit.error) throw new S5cmdStartError(this.opts.binary, exit.error.message);
    const elapsed = performance.now() - started;
    const unreported = tasks.length - results.size;
    if (unreported > 0 && !signal?.aborted) {
      this.opts.onStoppedEarly?.(
        `s5cmd exited with ${exit.code} leaving ${unreported} of ${tasks.length} objects of a batch unreported; ` +
          `the SDK engine copies them${stderrTail.length ? ` (s5cmd: ${stderrTail.slice(-1)[0]})` : ''}`,
      );
    }
    // Anything s5cmd did not report on counts as failed (and is retried elsewhere), never as copied.
    return tasks.map(
      (t) =>
        results.get(t.key) ?? {
          key: t.key,
          ok: false,
          engine: 's5cmd',
          bytes: 0,
          attempts: 1,
          latencyMs: elapsed,
          error: {
            class: signal?.aborted ? 'network' : 'unknown',
            message: `s5cmd exited with ${exit.code} without a result for this object${stderrTail.length ? ': ' + stderrTail.slice(-3).join(' | ') : ''}`,
            retryable: true,
          },
        },
    );
  }

  /** s5cmd's error for one object, named like the SDK engine's: what was copied where. */
  private failureOf(t: CopyTask, text: string): ClassifiedError {
    const e = parseS5cmdError(text);
    e.message = `s5cmd cp ${s3Url(this.settings.source, t.key)} -> ${s3Url(this.settings.dest, t.key)}: ${e.message}`;
    return e;
  }

  async close(): Promise<void> {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class S5cmdStartError extends Error {
  constructor(binary: string, reason: string) {
    super(`s5cmd could not start (${binary}): ${reason}`);
    this.name = 'S5cmdStartError';
  }
}
