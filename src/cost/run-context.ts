import type { SyncConfig } from '../config/schema.js';
import type { RunCostContext } from './run-cost.js';
import type { Sides } from '../storage/sides.js';
import type { Resources } from '../system/probe.js';
import { GIB } from '../units.js';

/** Whether the source bucket is someone else's public bucket (not Requester Pays), so its request charges are the owner's. */
export function sourceOwnerPays(config: Pick<SyncConfig, 'source_no_sign_request' | 'source_bucket'>): boolean {
  return config.source_no_sign_request || config.source_bucket === 'data.binance.vision';
}

/** Where the run's money goes: regions, storage class, who pays for the source, and the Fargate task when on ECS. */
export function runCostContext(config: SyncConfig, sides: Sides, resources: Resources, env: Record<string, string | undefined>): RunCostContext {
  return {
    sourceRegion: sides.source.client.region,
    destRegion: sides.dest.client.region,
    storageClass: config.performance_optimization.storage_class,
    sourceBucketOwnerPays: sourceOwnerPays(config),
    ...(resources.limits.ecs
      ? { fargate: { vcpu: resources.cpus, memoryGb: resources.memoryBytes / GIB, spot: env.S3DS_CAPACITY_PROVIDER === 'FARGATE_SPOT' } }
      : {}),
  };
}
