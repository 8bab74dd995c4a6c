import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { SyncConfig } from '../config/schema.js';
import { credentialsToEnv } from './credentials.js';
import type { SideClientOptions } from './clients.js';
import type { Location } from './types.js';

export interface SideSpec {
  location: Location;
  client: Omit<SideClientOptions, 'maxSockets' | 'retries'>;
  /** Environment for child processes acting for this side (s5cmd), read before each one starts. */
  childEnv: () => Promise<Record<string, string | undefined>>;
}

export interface Sides {
  source: SideSpec;
  dest: SideSpec;
  serverSide: { possible: boolean; reason: string };
  /** Both sides sign with the same credentials (a refused CopyObject will not succeed by download either). */
  sameCredentials: boolean;
}

function normalizeEndpoint(url: string | undefined): string | undefined {
  return url?.replace(/\/+$/, '').toLowerCase();
}

/**
 * Where each side lives and how to reach it. The source endpoint defaults to the destination's
 * (like the AWS CLI's --endpoint-url); with a custom endpoint and no explicit source region, the
 * source is signed for the destination's region, since one server answers both.
 */
export function resolveSides(config: SyncConfig, explicit: ReadonlySet<string> = new Set(), destCredentials?: AwsCredentialIdentityProvider): Sides {
  const destEndpoint = config.s3_config.endpoint_url;
  const sourceEndpoint = config.source_endpoint_url ?? destEndpoint;
  const sourceRegion = sourceEndpoint && !explicit.has('source_region') ? config.s3_config.region : config.source_region;
  const sameEndpoint = normalizeEndpoint(sourceEndpoint) === normalizeEndpoint(destEndpoint);
  const where = (e: string | undefined) => e ?? 'AWS S3';
  return {
    source: {
      location: { bucket: config.source_bucket, prefix: config.source_prefix },
      client: {
        region: sourceRegion,
        endpoint: sourceEndpoint,
        forcePathStyle: config.s3_config.force_path_style || undefined,
        anonymous: config.source_no_sign_request,
      },
      childEnv: async () => ({}),
    },
    dest: {
      location: { bucket: config.destination_bucket, prefix: config.destination_prefix },
      client: {
        region: config.s3_config.region,
        endpoint: destEndpoint,
        forcePathStyle: config.s3_config.force_path_style || undefined,
        accelerate: config.s3_config.use_accelerated_endpoint,
        credentials: destCredentials,
      },
      // Temporary credentials are read again for every s5cmd run, so a refreshed set is used.
      childEnv: async () => ({ AWS_REGION: config.s3_config.region, ...(destCredentials ? credentialsToEnv(await destCredentials()) : {}) }),
    },
    serverSide: sameEndpoint
      ? { possible: true, reason: `both sides on ${where(destEndpoint)}` }
      : { possible: false, reason: `source on ${where(sourceEndpoint)}, destination on ${where(destEndpoint)}` },
    sameCredentials: !config.source_no_sign_request && !destCredentials,
  };
}
