import type { S3Client } from '@aws-sdk/client-s3';
import type { EngineClients } from '../engines/types.js';
import { makeS3Client } from '../storage/clients.js';
import { countRequests } from '../storage/request-tally.js';
import type { Sides } from '../storage/sides.js';
import type { RunState } from './run-state.js';

/**
 * The run's S3 clients. Listing, HEADs, verification, deletes, cleanup and the manifest upload go
 * through `source`/`dest`, retried by the SDK with the run's error-class policy; the engines' `copy`
 * clients make one attempt per request and retry through the run's policy themselves (feeding the
 * governor). Every request is counted per side for the cost.
 */
export interface RunClients {
  source: S3Client;
  dest: S3Client;
  copy: EngineClients;
}

const MAX_SOCKETS = 1024;

export function openClients(sides: Sides, run: RunState, retryCount: number): RunClients {
  const sdkRetries = { maxSockets: MAX_SOCKETS, retries: { policy: { retryCount }, onRetry: run.retryLogger('retrying a request') } };
  const clients: RunClients = {
    source: makeS3Client({ ...sides.source.client, ...sdkRetries }),
    dest: makeS3Client({ ...sides.dest.client, ...sdkRetries }),
    copy: {
      source: makeS3Client({ ...sides.source.client, maxSockets: MAX_SOCKETS, retries: 'none' }),
      dest: makeS3Client({ ...sides.dest.client, maxSockets: MAX_SOCKETS, retries: 'none' }),
    },
  };
  for (const c of [clients.source, clients.copy.source]) countRequests(c, run.tally.source);
  for (const c of [clients.dest, clients.copy.dest]) countRequests(c, run.tally.dest);
  return clients;
}

export function destroyClients(c: RunClients): void {
  for (const client of [c.source, c.dest, c.copy.source, c.copy.dest]) client.destroy();
}
