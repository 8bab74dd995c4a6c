/** What a capacity and cost estimate takes and gives (types only). */
import type { EngineName } from '../engines/types.js';
import type { CostEstimate } from './model.js';
import type { EngineRate } from './rates.js';
import type { FargateSize } from './task-size.js';

export interface GrowthMultipliers {
  /** Objects per run. Seed default 2. */
  fileCount?: number;
  /** Average object size. Seed default 1.5. */
  fileSize?: number;
  /** Runs per period. Seed default 1.2. */
  frequency?: number;
}

export type AccessFrequency = 'frequent' | 'infrequent' | 'rare' | 'unknown';

export interface EstimateInput {
  objectCount: number;
  totalBytes: number;
  /** Default totalBytes / objectCount. */
  avgObjectBytes?: number;
  /** Per-task rates, laid over DEFAULT_ENGINE_RATES. */
  rates?: Partial<Record<EngineName, EngineRate>>;
  /** Engines to estimate. Default: all three, or only stream when no server-side copy is possible. */
  engines?: EngineName[];
  /** Source and destination share an endpoint and credentials (CopyObject possible). Default true. */
  serverSidePossible?: boolean;
  sourceRegion: string;
  destRegion: string;
  /** Where the tasks run. Default the destination region. */
  jobRegion?: string;
  sourceBucketOwnerPays?: boolean;
  storageClass?: string;
  /** Objects already at the destination (its listing). Default 0. */
  destObjectCount?: number;
  /** Copies in flight per task. Default 16. */
  concurrency?: number;
  /** Default 100 MiB and 50 MiB (the seed's production values). */
  partSizeBytes?: number;
  multipartThresholdBytes?: number;
  /** Every zip has a .CHECKSUM sibling that verification reads from the source. Default true. */
  checksumPairs?: boolean;
  /** Task sizes to choose from. Default every Fargate size. */
  taskSizes?: readonly FargateSize[];
  spot?: boolean;
  /** Finish a full run within this many hours: decides the worker count. */
  deadlineHours?: number;
  /** Default 10. */
  maxWorkers?: number;
  /** Exactly this many workers (parallel tasks), whatever the deadline and maxWorkers say. */
  workers?: number;
  /** Runs per month, for monthly figures. Default 1. */
  runsPerMonth?: number;
  accessFrequency?: AccessFrequency;
  growth?: GrowthMultipliers[];
}

export interface EngineEstimate {
  engine: EngineName;
  rate: EngineRate;
  /** Hours one task needs for the whole run. */
  single_task_hours: number;
  bound: 'objects' | 'bytes';
  workers: number;
  wall_clock_hours: number;
  meets_deadline: boolean | undefined;
  task: FargateSize & { reason: string };
  requests: { list_source: number; list_dest: number; get_source: number; copy: number; put: number };
  /** Network the tasks need (streamed bytes only), Mbit/s across all workers, with 20% headroom. */
  network_mbit_per_second: number;
  cost: CostEstimate;
  /** What download+upload would cost for the same run (server-side engines only). */
  traditional_cost_usd?: number;
}

export interface GrowthPlan {
  multipliers: Required<GrowthMultipliers>;
  objects_per_run: number;
  bytes_per_run: number;
  runs_per_month: number;
  gb_per_day: number;
  engine: EngineName;
  single_task_hours: number;
  workers_needed: number;
  wall_clock_hours: number;
  /** A run would not finish before the next one starts. */
  runs_overlap: boolean;
  monthly_usd: number;
  scaling: { workers: number; request_rate: number; network: number; memory_per_task: number };
  flags: { large_volume_review: boolean; consider_s3_batch_operations: boolean };
  notes: string[];
}

export interface Recommendation {
  strategy: 'storage_class' | 'region_placement' | 'lifecycle_glacier' | 'request_optimization' | 'fargate_spot';
  description: string;
  estimated_monthly_savings_usd: number;
  implementation: string;
}

export interface NotRecommended {
  strategy: Recommendation['strategy'];
  reason: string;
}

export interface Estimate {
  input: {
    objects: number;
    bytes: number;
    avg_object_bytes: number;
    source_region: string;
    dest_region: string;
    job_region: string;
    storage_class: string;
    runs_per_month: number;
  };
  engines: EngineEstimate[];
  recommended_engine: EngineName;
  growth: GrowthPlan[];
  recommendations: Recommendation[];
  not_recommended: NotRecommended[];
  warnings: string[];
  pricing_as_of: string;
}
