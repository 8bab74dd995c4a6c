/**
 * A command's flags and environment turned into its inputs before any work: the configuration
 * layers (with the Secrets Manager ones), destination credentials, the shard and the pricing table.
 * Each problem is a Refusal with its exit code.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError, loadConfig, type LoadedConfig } from '../config/load.js';
import { ExitCode } from '../exit-codes.js';
import { DEFAULT_PRICING, loadPricingFile, PricingError, type PricingTable } from '../cost/pricing.js';
import { parseShard, type ShardSpec } from '../plan/shard.js';
import { DEFAULT_SDK_RETRY_COUNT, sdkRetryConfig } from '../resilience/sdk-retry-strategy.js';
import { fromSecret, type SecretCredentialsProvider } from '../storage/credentials.js';
import { sidesRefusal } from '../storage/overlap.js';
import { loadSecretJson, SecretError } from '../storage/secrets.js';
import { resolveSides, type Sides } from '../storage/sides.js';
import { Refusal, type CommonArgs } from './command-io.js';

/**
 * A Secrets Manager client in the environment's region, else the region of an ARN `id`, else us-east-1.
 * The SDK client is loaded here, by the runs that read a secret.
 */
export async function secretsClient(environ: NodeJS.ProcessEnv, id: string): Promise<SecretsManagerClient> {
  const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const fromArn = /^arn:aws[\w-]*:secretsmanager:([a-z0-9-]+):/.exec(id)?.[1];
  // Read before the configuration is loaded: the default retry count, with the run's per-class policy.
  const region = environ.AWS_REGION ?? environ.AWS_DEFAULT_REGION ?? fromArn ?? 'us-east-1';
  return new SecretsManagerClient({ region, ...sdkRetryConfig({ retryCount: DEFAULT_SDK_RETRY_COUNT }) });
}

/** A secret that cannot be read is a preflight failure (4); one that is not valid JSON is bad configuration (2). */
export function secretRefusal(err: unknown, what: string): Refusal {
  if (err instanceof SecretError) return new Refusal(`${what}: ${err.message}`, err.code ? ExitCode.preflight : ExitCode.badConfig);
  if (err instanceof Error) return new Refusal(`${what}: ${err.message}`, ExitCode.badConfig);
  throw err;
}

/** Every config layer the CLI knows (preset, file, secret, env, flags); throws Refusal with the exit code. */
export async function loadLayers(argv: CommonArgs, environ: NodeJS.ProcessEnv): Promise<LoadedConfig> {
  const configSecretId = argv['config-secret'] ?? environ.S3DS_CONFIG_SECRET;
  let secret: Record<string, unknown> | undefined;
  if (configSecretId) {
    try {
      secret = await loadSecretJson(await secretsClient(environ, configSecretId), configSecretId);
    } catch (err) {
      throw secretRefusal(err, '--config-secret');
    }
  }
  try {
    return loadConfig({ preset: argv.env ?? environ.S3DS_ENV, configFile: argv.config ?? environ.S3DS_CONFIG, secret, environ, cli: argv });
  } catch (err) {
    if (err instanceof ConfigError) throw new Refusal(`invalid configuration\n${err.message}`, ExitCode.badConfig);
    throw err;
  }
}

/** Destination credentials from a secret; its endpoint and region describe the destination too. */
export async function destinationCredentials(
  argv: CommonArgs,
  environ: NodeJS.ProcessEnv,
  loaded: LoadedConfig,
): Promise<SecretCredentialsProvider | undefined> {
  const id = argv['destination-credentials-secret'] ?? environ.S3DS_DESTINATION_CREDENTIALS_SECRET;
  if (!id) return undefined;
  const provider = fromSecret(await secretsClient(environ, id), id);
  try {
    await provider();
    const where = await provider.settings();
    if (where.endpoint && !loaded.explicit.has('s3_config.endpoint_url')) loaded.config.s3_config.endpoint_url = where.endpoint;
    if (where.region && loaded.origin['s3_config.region'] !== 'cli') loaded.config.s3_config.region = where.region;
  } catch (err) {
    throw secretRefusal(err, '--destination-credentials-secret');
  }
  return provider;
}

/** The sides, resolved once; overlapping source and destination, or a bucket-root sync without --allow-bucket-root: exit 2 before any S3 request. */
export function refuseUnsafeLocations(loaded: LoadedConfig, destCredentials: SecretCredentialsProvider | undefined): Sides {
  const sides = resolveSides(loaded.config, loaded.explicit, destCredentials);
  const refusal = sidesRefusal(sides, loaded.config);
  if (refusal) throw new Refusal(refusal.message, ExitCode.badConfig);
  return sides;
}

/** --shard i/N (or S3DS_SHARD), split by the selection's groups unless --shard-depth says otherwise; undefined when not sharded. */
export function shardOption(argv: CommonArgs, environ: NodeJS.ProcessEnv): ShardSpec | undefined {
  const text = argv.shard ?? environ.S3DS_SHARD;
  if (!text) return undefined;
  const rawDepth = argv['shard-depth'] ?? environ.S3DS_SHARD_DEPTH;
  const depth = rawDepth === undefined || rawDepth === '' ? undefined : Number(rawDepth);
  if (depth !== undefined && (!Number.isInteger(depth) || depth < 0 || depth > 16)) {
    throw new Refusal(`--shard-depth must be an integer from 0 to 16, got '${String(rawDepth)}'`, ExitCode.badConfig);
  }
  try {
    return { ...parseShard(text), ...(depth === undefined ? {} : { depth }) };
  } catch (err) {
    throw new Refusal((err as Error).message, ExitCode.badConfig);
  }
}

/** The prices of --pricing-file (or S3DS_PRICING_FILE), else the built-in public AWS prices. */
export async function pricingOption(argv: CommonArgs, environ: NodeJS.ProcessEnv): Promise<PricingTable> {
  const pricingFile = argv['pricing-file'] ?? environ.S3DS_PRICING_FILE;
  if (!pricingFile) return DEFAULT_PRICING;
  return loadPricingFile(pricingFile).catch((err: unknown) => {
    throw new Refusal(err instanceof PricingError ? err.message : `--pricing-file ${pricingFile}: ${(err as Error).message}`, ExitCode.badConfig);
  });
}
