/** The options of the commands that app.ts wires (loaded by a command's builder, so that top-level --help loads none). */
import type { Argv } from 'yargs';
import { yargsOptions } from '../config/flags.js';
import { PRESET_NAMES } from '../config/presets.js';
import { LOG_LEVELS } from '../observe/log-level.js';

/** The options every job command (sync, plan, validate, estimate) takes. */
export function commonOptions<T>(y: Argv<T>) {
  return y
    .options(yargsOptions())
    .option('config', { type: 'string', requiresArg: true, describe: "JSON config file (the seed's format loads unchanged). [env S3DS_CONFIG]" })
    .option('config-secret', {
      type: 'string',
      requiresArg: true,
      describe: 'Secrets Manager secret (id or ARN) holding a JSON config layer, above the file. [env S3DS_CONFIG_SECRET]',
    })
    .option('destination-credentials-secret', {
      type: 'string',
      requiresArg: true,
      describe:
        "Secrets Manager secret with the destination's credentials (access_key_id, secret_access_key, session_token?, " +
        'endpoint_url?, region?), for a bucket in another account or S3 provider. [env S3DS_DESTINATION_CREDENTIALS_SECRET]',
    })
    .option('env', { type: 'string', requiresArg: true, describe: `Environment preset: ${PRESET_NAMES.join(', ')}. [env S3DS_ENV]` })
    .option('json', { type: 'boolean', describe: 'Print the run report as JSON on stdout.' })
    .option('report', { type: 'string', requiresArg: true, describe: 'Also write the JSON run report to this file.' })
    .option('dry-run', { type: 'boolean', describe: 'Plan only: list, compare and report, write nothing.' })
    .option('log-format', { choices: ['json', 'text'] as const, describe: 'Log lines as JSON (default off a terminal) or text (default on one).' })
    .option('log-level', { type: 'string', requiresArg: true, describe: `${LOG_LEVELS.join(', ')} (default info). [env S3DS_LOG_LEVEL]` })
    .option('progress', { type: 'boolean', describe: 'Show progress (default: on a terminal a live line, otherwise a log line every 10 s).' })
    .option('pricing-file', {
      type: 'string',
      requiresArg: true,
      describe: 'JSON prices overriding the built-in public AWS prices (see config/pricing.example.json). [env S3DS_PRICING_FILE]',
    })
    .option('max-cost-usd', {
      type: 'number',
      requiresArg: true,
      describe: 'Stop before the estimated cost of the run passes this many dollars (exit 4, with the estimate). [env S3DS_MAX_COST_USD]',
    })
    .option('manifest', {
      type: 'string',
      requiresArg: true,
      describe: 'Write a JSON Lines manifest of every object copied (key, size, sha256, source_etag, copied_at, engine); default beside --report.',
    })
    .option('upload-manifest', { type: 'boolean', describe: 'Also upload the manifest as <destination>/_manifests/<run_id>.jsonl (never synced itself).' })
    .option('shard', {
      type: 'string',
      requiresArg: true,
      describe: 'Only shard i of N of the key space, e.g. 0/4 (ECS fan-out; see `launch`). [env S3DS_SHARD]',
    })
    .option('shard-depth', {
      type: 'number',
      requiresArg: true,
      describe:
        'Split the key space into shard units at this many levels of "/" below the source prefix, for a layout that is not ' +
        "Binance's (default: the selection's groups, the symbol folder in every market). [env S3DS_SHARD_DEPTH]",
    });
}

/** The options of `launch` itself; the job's own flags go after `--` to the shard tasks. */
export function launchOptions(y: Argv) {
  return y
    .parserConfiguration({ 'populate--': true })
    .option('cluster', { type: 'string', demandOption: true, requiresArg: true, describe: 'ECS cluster name or ARN.' })
    .option('task-definition', { type: 'string', demandOption: true, requiresArg: true, describe: 'Task definition family[:revision] or ARN.' })
    .option('container-name', { type: 'string', default: 's3-direct-sync', describe: 'Container to override in the task definition.' })
    .option('shards', { type: 'number', demandOption: true, requiresArg: true, describe: 'How many shard tasks.' })
    .option('subnets', { type: 'string', array: true, demandOption: true, requiresArg: true, describe: 'Subnet ids (comma-separated or repeated).' })
    .option('security-groups', { type: 'string', array: true, demandOption: true, requiresArg: true, describe: 'Security group ids.' })
    .option('capacity-provider', { choices: ['FARGATE', 'FARGATE_SPOT'] as const, describe: 'Capacity provider (default: the launch type FARGATE).' })
    .option('assign-public-ip', { type: 'boolean', describe: 'Give the tasks public IPs (subnets without NAT).' })
    .option('wait', { type: 'boolean', describe: 'Wait for every shard to stop and exit with the combined code.' })
    .option('timeout-seconds', { type: 'number', requiresArg: true, describe: 'Stop waiting (and stop the shards) after this long.' })
    .option('poll-seconds', { type: 'number', requiresArg: true, describe: 'Seconds between status polls.' })
    .option('json', { type: 'boolean', describe: 'Print the combined result as JSON.' })
    .option('log-format', { choices: ['json', 'text'] as const, describe: 'Log lines as JSON or text.' });
}
