/**
 * SIGTERM/SIGINT handling: the first signal stops new work (the `stop` signal); in-flight copies
 * get until the deadline, then the `abort` signal cuts them. A second signal aborts at once.
 */
export interface Shutdown {
  stop: AbortSignal;
  abort: AbortSignal;
  /** Which signal arrived first, if any. */
  received(): NodeJS.Signals | undefined;
  dispose(): void;
}

export function installShutdown(deadlineMs: number, onSignal?: (sig: NodeJS.Signals) => void): Shutdown {
  const stop = new AbortController();
  const abort = new AbortController();
  let first: NodeJS.Signals | undefined;
  let timer: NodeJS.Timeout | undefined;
  const handler = (sig: NodeJS.Signals) => {
    if (!first) {
      first = sig;
      onSignal?.(sig);
      stop.abort(new Error(`received ${sig}`));
      timer = setTimeout(() => abort.abort(new Error(`shutdown deadline of ${deadlineMs} ms passed`)), deadlineMs);
      timer.unref();
    } else {
      abort.abort(new Error(`received a second ${sig}`));
    }
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return {
    stop: stop.signal,
    abort: abort.signal,
    received: () => first,
    dispose() {
      if (timer) clearTimeout(timer);
      process.off('SIGTERM', handler);
      process.off('SIGINT', handler);
    },
  };
}
