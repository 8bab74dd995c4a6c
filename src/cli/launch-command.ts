import { ECSClient } from '@aws-sdk/client-ecs';
import { formatLaunchResult, launchResultJson, launchShards, regionFromArn } from '../fanout/launch.js';
import type { CapacityProvider } from '../fanout/types.js';
import { createCliLogger, printResult, processIo, withRefusals, type CommandIo, type CommonArgs } from './command-io.js';
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

const splitList = (v: string[]) =>
  v
    .flatMap((x) => String(x).split(','))
    .map((x) => x.trim())
    .filter(Boolean);

/** `launch`: one ECS task per shard (`sync --shard i/N`), waits for them, combines their exit codes. */
export async function launchCommand(argv: LaunchArgs, io: CommandIo = processIo()): Promise<number> {
  return withRefusals(io, () => launch(argv, io), 's3-direct-sync launch');
}

async function launch(argv: LaunchArgs, io: CommandIo): Promise<number> {
  const logger = createCliLogger(argv, io.env);
  const passed = (argv['--'] ?? []).map(String);
  const baseCommand = passed.length > 0 ? passed : ['sync', '--json'];
  const ecs = new ECSClient({ region: io.env.AWS_REGION ?? regionFromArn(argv.cluster) });
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
    printResult(io, argv.json, launchResultJson(result), () => formatLaunchResult(result));
    return result.exitCode;
  } finally {
    shutdown.dispose();
    ecs.destroy();
  }
}
