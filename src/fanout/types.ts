import type { ECSClient } from '@aws-sdk/client-ecs';

export type CapacityProvider = 'FARGATE' | 'FARGATE_SPOT';

export interface LaunchOptions {
  ecs: ECSClient;
  /** Cluster name or ARN. */
  cluster: string;
  /** Task definition family, family:revision or ARN. */
  taskDefinition: string;
  /** Container whose command is overridden and whose exit code is the shard's. */
  containerName: string;
  /** Number of shards N; one task per shard, `--shard i/N` for i in 0..N-1. */
  shards: number;
  subnets: string[];
  securityGroups: string[];
  assignPublicIp?: boolean;
  /** Omitted: launchType FARGATE. Given: a capacity provider strategy of that one provider. */
  capacityProvider?: CapacityProvider;
  /** The job's command without --shard, e.g. ['sync', '--env', 'prod', '--json']. */
  baseCommand: string[];
  /** Extra container environment (plain values only: never secrets, which belong in the task definition). */
  environment?: Record<string, string>;
  /** DescribeTasks polling interval. Default 15 s. */
  pollIntervalMs?: number;
  /** Give up waiting after this long (default: wait as long as it takes). */
  timeoutMs?: number;
  /** Wait for the tasks to stop (default true). With false, returns once every shard is launched. */
  wait?: boolean;
  /** On timeout or abort, StopTask the shards still running and wait stopGraceMs for their exit codes. Default true. */
  stopOnTimeout?: boolean;
  /** How long to wait for stopped shards after StopTask. Default 150 s (the container's stopTimeout is at most 120 s). */
  stopGraceMs?: number;
  /** Aborting ends the wait like a timeout. */
  signal?: AbortSignal;
  /** Tag each task with its shard and launch id (needs ecs:TagResource on tasks). Default true. */
  tagTasks?: boolean;
  /** RunTask calls in flight at once. Default 4. */
  launchConcurrency?: number;
  /** Attempts per shard when RunTask reports a transient failure (capacity, throttling). Default 3. */
  launchAttempts?: number;
  /** Delay before retrying a transient RunTask failure, times the attempt number. Default 5 s. */
  launchRetryDelayMs?: number;
  /** Correlates the shards of one launch (tag s3-direct-sync:launch-id, RunTask clientToken). Default random. */
  launchId?: string;
  onEvent?(e: LaunchEvent): void;
  /** Test seams. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

export interface ShardResult {
  /** "i/N". */
  shard: string;
  /** Empty when RunTask did not start a task. */
  taskArn: string;
  /** ECS lastStatus; NOT_STARTED when RunTask failed; MISSING when ECS no longer knows the task. */
  lastStatus: string;
  /** Exit code of the job's container, once it has one. */
  exitCode?: number;
  /** Why the task stopped (ECS stoppedReason and container reason), or why it never started. */
  stoppedReason?: string;
}

export interface LaunchResult {
  tasks: ShardResult[];
  /** Every shard exited 0 (without waiting: every shard was launched). */
  ok: boolean;
  /** The fan-out's exit code (combineExitCodes of the shards). */
  exitCode: number;
  launchId: string;
  /** Whether the result reflects finished tasks (false with wait: false). */
  waited: boolean;
  /** The wait ended by timeout or abort before every shard stopped. */
  timedOut: boolean;
}

export type LaunchEvent =
  | { type: 'launched'; shard: string; taskArn: string; attempt: number }
  | { type: 'launch-failed'; shard: string; reason: string; attempt: number; willRetry: boolean }
  | { type: 'status'; shard: string; taskArn: string; lastStatus: string }
  | { type: 'stopped'; shard: string; taskArn: string; exitCode?: number; stoppedReason?: string }
  | { type: 'poll-error'; message: string; consecutive: number }
  | { type: 'timeout'; running: string[] }
  | { type: 'stop-requested'; shard: string; taskArn: string; error?: string };
