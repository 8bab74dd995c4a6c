import type { CopyEngine, CopyResult, CopyTask, EngineName } from './types.js';

export interface DispatcherOptions {
  /** Read at every add, so memory pressure can shrink batches mid-run. */
  batchSize: () => number;
  /** Batches in flight at once across engines; `add` waits beyond that (backpressure). */
  maxInFlight: number;
  engineFor(task: CopyTask): CopyEngine;
  onResults(results: CopyResult[], tasks: Map<string, CopyTask>, engine: EngineName): Promise<void>;
  signal?: AbortSignal;
}

/** Groups copy tasks into batches per engine and runs them with bounded parallelism. */
export class Dispatcher {
  private open = new Map<CopyEngine, CopyTask[]>();
  private inFlight = new Set<Promise<void>>();
  private firstError: unknown;

  constructor(private opts: DispatcherOptions) {}

  async add(task: CopyTask): Promise<void> {
    this.throwIfFailed();
    const engine = this.opts.engineFor(task);
    let batch = this.open.get(engine);
    if (!batch) this.open.set(engine, (batch = []));
    batch.push(task);
    if (batch.length >= Math.max(1, this.opts.batchSize())) await this.flush(engine);
  }

  private async flush(engine: CopyEngine): Promise<void> {
    const batch = this.open.get(engine);
    if (!batch || batch.length === 0) return;
    this.open.delete(engine);
    while (this.inFlight.size >= this.opts.maxInFlight) await Promise.race(this.inFlight);
    const tasks = new Map(batch.map((t) => [t.key, t]));
    const run = engine
      .copyBatch(batch, this.opts.signal)
      .then((results) => this.opts.onResults(results, tasks, engine.name))
      .catch((e: unknown) => {
        this.firstError ??= e;
      })
      .finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  /** Sends what is left and waits for everything in flight. */
  async drain(): Promise<void> {
    for (const engine of [...this.open.keys()]) await this.flush(engine);
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.firstError !== undefined) throw this.firstError;
  }
}
