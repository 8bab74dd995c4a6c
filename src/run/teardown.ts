import type { UploadRegistry } from '../engines/uploads.js';
import type { ManifestWriter } from '../observe/manifest.js';
import type { ProgressReporter } from '../observe/progress.js';
import type { LeaseHolder } from '../storage/lease.js';
import { destroyClients, type RunClients } from './clients.js';
import type { Copier } from './copy-stage.js';
import type { RunState } from './run-state.js';

/** What a run holds that must be given back however it ends; each stage fills in what it opens. */
export interface Held {
  clients: RunClients;
  /** Multipart uploads this run started and has not finished. */
  uploads: UploadRegistry;
  progress?: ProgressReporter;
  /** Open until the finish stage closes it. */
  manifest?: ManifestWriter;
  lease?: LeaseHolder;
  /** The governor's limiter and the engines (s5cmd's run files). */
  copier?: Copier;
}

/** Gives everything back, in an order where nothing of this run can still write when the lease goes. */
export async function release(h: Held, run: RunState): Promise<void> {
  h.progress?.stop();
  await h.manifest?.abort().catch(() => undefined);
  // Multipart uploads this run started and could not finish are aborted, never left behind.
  if (h.uploads.size > 0) {
    const n = await h.uploads.abortAll(h.clients.dest).catch(() => 0);
    run.log.warn('aborted unfinished multipart uploads', { aborted: n });
  }
  // Given up last, once nothing of this run can still write.
  await h.lease?.release();
  h.copier?.limiter.dispose();
  await h.copier?.engines.close();
  destroyClients(h.clients);
}
