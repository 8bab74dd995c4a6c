import { isPlainEtag } from '../plan/compare.js';
import type { CopyRuntime } from './runtime.js';
import { S5cmdEngine, S5cmdStartError, type S5cmdOptions } from './s5cmd.js';
import { SdkEngine } from './sdk.js';
import { routeObject, type RoutePolicy, type RouteReason } from './select.js';
import { StreamEngine } from './stream.js';
import type { CopyEngine, CopyResult, CopyTask, EngineClients, EngineName, EngineSettings } from './types.js';
import type { UploadRegistry } from './uploads.js';

export interface EngineSet {
  sdk: SdkEngine;
  stream: StreamEngine;
  /** The engine each object goes to (s5cmd hands what it cannot copy to the SDK engine); counted in `routes`. */
  engineFor(task: CopyTask): CopyEngine;

  close(): Promise<void>;
}

/** Builds the run's engines around one runtime (limits, retries) and one upload registry. */
export function assembleEngines(
  run: EngineName,
  /** The run's engine was forced with --engine: it takes everything it can. */
  forced: boolean,
  settings: EngineSettings,
  clients: EngineClients,
  uploads: UploadRegistry,
  rt: CopyRuntime,
  s5cmd: Omit<S5cmdOptions, 'retry' | 'onStoppedEarly'> | undefined,
  onDegrade: (from: EngineName, to: EngineName, reason: string) => void,
  onRoute: (engine: EngineName, reason: RouteReason) => void,
): EngineSet {
  const sdk = new SdkEngine(settings, clients, uploads, rt);
  const stream = new StreamEngine(settings, clients, uploads, rt);
  // A batch s5cmd left partly unreported is retried through the SDK engine (engines/fallback.ts): recorded as a degradation.
  const s5cmdOpts = s5cmd && { ...s5cmd, retry: rt.retry, onStoppedEarly: (reason: string) => onDegrade('s5cmd', 'sdk', reason) };
  const s5cmdForRest = run === 'sdk' && settings.checksumSha256 && !forced && s5cmdOpts !== undefined;
  const s5 = (run === 's5cmd' || s5cmdForRest) && s5cmdOpts ? new S5cmdOrSdk(new S5cmdEngine(settings, s5cmdOpts), sdk, onDegrade) : undefined;
  const byName: Record<EngineName, CopyEngine | undefined> = { s5cmd: s5, sdk, stream };
  const policy: RoutePolicy = {
    run,
    s5cmdForRest,
    multipartThreshold: settings.multipartThresholdBytes,
    s5cmdMax: s5?.maxObjectBytes ?? sdk.maxObjectBytes,
  };
  return {
    sdk,
    stream,
    engineFor: (t) => {
      const r = routeObject({ key: t.key, size: t.size, plainSourceEtag: isPlainEtag(t.etag), checksumFile: t.checksumFile }, policy);
      onRoute(r.engine, r.reason);
      return byName[r.engine] ?? sdk;
    },
    close: async () => {
      await s5?.close();
    },
  };
}

/** s5cmd, degrading to the SDK engine for the rest of the run when s5cmd cannot start. */
class S5cmdOrSdk implements CopyEngine {
  readonly name = 's5cmd' as const;
  readonly maxObjectBytes: number;
  private broken = false;

  constructor(
    private s5cmd: S5cmdEngine,
    private sdk: SdkEngine,
    private onDegrade: (from: EngineName, to: EngineName, reason: string) => void,
  ) {
    this.maxObjectBytes = s5cmd.maxObjectBytes;
  }

  async copyBatch(tasks: CopyTask[], signal?: AbortSignal): Promise<CopyResult[]> {
    if (this.broken) return this.sdk.copyBatch(tasks, signal);
    try {
      return await this.s5cmd.copyBatch(tasks, signal);
    } catch (err) {
      if (!(err instanceof S5cmdStartError)) throw err;
      if (!this.broken) this.onDegrade('s5cmd', 'sdk', err.message);
      this.broken = true;
      return this.sdk.copyBatch(tasks, signal);
    }
  }

  close(): Promise<void> {
    return this.s5cmd.close();
  }
}
