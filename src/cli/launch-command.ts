import { ECSClient } from '@aws-sdk/client-ecs';
import { JobError } from '../exit-codes.js';
import { formatLaunchResult, launchResultJson, launchShards, regionFromArn } from '../fanout/launch.js';
import type { CapacityProvider } from '../fanout/types.js';
import { scrubSecrets } from '../storage/credentials.js';
import { createCliLogger, type CommonArgs } from './run-command.js';
import { installShutdown } from './shutdown.js';

export interface LaunchArgs extends CommonArgs {
  cluster: string;
  'task-definition': string;
  'container-name': string;
  shards: number;
  subnets: string[];
  'security-groups': string[];
  'capacity-provider'?: CapacityProvider;
  wait?: boolean;
  'assign-public-ip'?: boolean;
  'timeout-seconds'?: number;
  'poll-seconds'?: number;
  '--'?: Array<string | number>;
}

const splitList = (v: string[]) => v.flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter(Boolean);

/** `launch`: one ECS task per shard (`sync --shard i/N`), waits for them, combines their exit codes. */
export async function launchCommand(argv: LaunchArgs): Promise<number> {
  const logger = createCliLogger(argv, process.env);
  const passed = (argv['--'] ?? []).map(String);
  const baseCommand = passed.length > 0 ? passed : ['sync', '--json'];
  const ecs = new ECSClient({ region: process.env.AWS_REGION ?? regionFromArn(argv.cluster) });
  const shutdown = installShutdown(30_000, (sig) => logger.warn(`received ${sig}: stopping the shard tasks`));
  try {
    const result = await launchShards({
      ecs,
      cluster: argv.cluster,
      taskDefinition: argv['task-definition'],
      containerName: argv['container-name'],
      shards: argv.shards,
      subnets: splitList(argv.subnets),
      securityGroups: splitList(argv['security-groups']),
      assignPublicIp: argv['assign-public-ip'],
      capacityProvider: argv['capacity-provider'],
      baseCommand,
      wait: Boolean(argv.wait),
      timeoutMs: argv['timeout-seconds'] ? argv['timeout-seconds'] * 1000 : undefined,
      pollIntervalMs: argv['poll-seconds'] ? argv['poll-seconds'] * 1000 : undefined,
      signal: shutdown.stop,
      onEvent: (e) => logger.info('launch', { event: e }),
    });
    process.stdout.write(scrubSecrets(argv.json ? JSON.stringify(launchResultJson(result), null, 2) + '\n' : formatLaunchResult(result) + '\n'));
    return result.exitCode;
  } catch (err) {
    if (err instanceof JobError) {
      process.stderr.write(`s3-direct-sync launch: ${scrubSecrets(err.message)}\n`);
      return err.exitCode;
    }
    throw err;
  } finally {
    shutdown.dispose();
    ecs.destroy();
  }
}
